import Foundation

/// An email to compose: text and HTML alternatives, threading headers, UTF-8 everywhere.
public struct ComposedMail: Sendable, Equatable {
    public var fromName: String?
    public var fromAddress: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    /// Extra headers, e.g. `Auto-Submitted: auto-generated` so auto-responders stay quiet.
    public var headers: [(String, String)]
    public var date: Date

    public init(fromName: String?, fromAddress: String, to: [String], subject: String, text: String, html: String?,
                messageID: String, inReplyTo: String? = nil, references: [String] = [], headers: [(String, String)] = [],
                date: Date = Date()) {
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.headers = headers
        self.date = date
    }

    public static func == (a: ComposedMail, b: ComposedMail) -> Bool {
        a.rendered(boundary: "b") == b.rendered(boundary: "b")
    }

    /// The RFC 5322 message: headers, then `multipart/alternative` (text, HTML) or a single text part.
    public func rendered(boundary: String = "=_helpdesk_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) -> String {
        var lines: [String] = []
        let from = fromName.map { "\(Self.encodeWord($0, phrase: true)) <\(fromAddress)>" } ?? fromAddress
        lines.append("From: \(from)")
        lines.append("To: \(to.joined(separator: ", "))")
        lines.append("Subject: \(Self.encodeWord(subject, phrase: false))")
        lines.append("Date: \(Self.rfc5322Date(date))")
        lines.append("Message-ID: <\(messageID)>")
        if let inReplyTo { lines.append("In-Reply-To: <\(inReplyTo)>") }
        if !references.isEmpty { lines.append("References: " + references.map { "<\($0)>" }.joined(separator: " ")) }
        for (name, value) in headers where !name.contains(where: { $0 == ":" || $0.isNewline }) {
            lines.append("\(name): \(value.filter { !$0.isNewline })")
        }
        lines.append("MIME-Version: 1.0")
        if let html {
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += Self.part(type: "text/plain", text)
            lines.append("--\(boundary)")
            lines += Self.part(type: "text/html", html)
            lines.append("--\(boundary)--")
        } else {
            lines += Self.part(type: "text/plain", text)
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func part(type: String, _ content: String) -> [String] {
        ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""] + base64Lines(content)
    }

    static func base64Lines(_ content: String) -> [String] {
        let encoded = Data(content.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    /// RFC 2047 `=?UTF-8?B?…?=` for header text that is not plain ASCII (or, in a display name, has specials);
    /// newlines are removed so no header can be injected.
    static func encodeWord(_ text: String, phrase: Bool) -> String {
        let clean = text.filter { !$0.isNewline }
        let specials = CharacterSet(charactersIn: "()<>[]:;@\\,.\"")
        let needsEncoding = clean.unicodeScalars.contains { $0.value >= 0x80 || $0.value < 0x20 }
            || (phrase && clean.unicodeScalars.contains { specials.contains($0) })
        guard needsEncoding else { return clean }
        // Each encoded word stays under 75 characters: 45 bytes of UTF-8 each, never splitting a character.
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
