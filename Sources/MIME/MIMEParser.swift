import Foundation

/// Parses RFC 5322 / MIME messages. It never throws and never traps on bad input: malformed headers are
/// skipped, a missing closing boundary ends at the end of the message, unknown charsets fall back, and
/// nesting deeper than `maxDepth` is kept as an attachment.
public enum MIMEParser {
    static let maxDepth = 16

    struct Part {
        let headers: MIMEHeaders
        let type: MIMEHeaderValue
        let disposition: MIMEHeaderValue?
        let body: ArraySlice<UInt8>
        var children: [Part]
    }

    public static func parse(_ data: [UInt8]) -> MIMEMessage {
        let root = part(data[...], depth: 0, defaultType: "text/plain")
        var texts: [(plain: Bool, text: String)] = []
        var attachments: [MIMEAttachment] = []
        walk(root, texts: &texts, attachments: &attachments)
        let plain = texts.first { $0.plain }?.text
        let html = texts.first { !$0.plain }?.text
        let headers = root.headers
        return MIMEMessage(
            headers: headers,
            subject: EncodedWords.decode(headers["Subject"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            from: headers["From"].flatMap { MailAddress.list($0).first },
            to: MailAddress.list(headers["To"]), cc: MailAddress.list(headers["Cc"]),
            replyTo: headers["Reply-To"].flatMap { MailAddress.list($0).first },
            messageID: MessageIDs.parse(headers["Message-ID"]).first,
            inReplyTo: MessageIDs.parse(headers["In-Reply-To"]), references: MessageIDs.parse(headers["References"]),
            date: headers["Date"].flatMap(parseDate),
            text: plain ?? html.map(HTMLText.text(from:)) ?? "",
            html: html, attachments: attachments, contentType: root.type.value.isEmpty ? "text/plain" : root.type.value)
    }

    public static func parse(_ data: Data) -> MIMEMessage { parse([UInt8](data)) }

    static func part(_ bytes: ArraySlice<UInt8>, depth: Int, defaultType: String) -> Part {
        let (headerBytes, body) = splitHeaders(bytes)
        let headers = MIMEHeaders(raw: Array(headerBytes))
        var type = MIMEHeaderValue(headers["Content-Type"] ?? defaultType)
        if !type.value.contains("/") { type = MIMEHeaderValue(defaultType) }
        let disposition = headers["Content-Disposition"].map(MIMEHeaderValue.init)
        var result = Part(headers: headers, type: type, disposition: disposition, body: body, children: [])
        if type.value.hasPrefix("multipart/"), depth < maxDepth, let boundary = type["boundary"], !boundary.isEmpty {
            let childDefault = type.value == "multipart/digest" ? "message/rfc822" : "text/plain"
            result.children = split(body, boundary: boundary).map { part($0, depth: depth + 1, defaultType: childDefault) }
        }
        return result
    }

    /// Headers end at the first empty line (CRLF CRLF or LF LF); a message without one is all headers.
    static func splitHeaders(_ bytes: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var i = bytes.startIndex
        // A part may start with its body right away (no headers): a leading blank line.
        if i < bytes.endIndex, bytes[i] == 0x0A { return (bytes[i..<i], bytes[(i + 1)...]) }
        if i + 1 < bytes.endIndex, bytes[i] == 0x0D, bytes[i + 1] == 0x0A { return (bytes[i..<i], bytes[(i + 2)...]) }
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                var j = i + 1
                if j < bytes.endIndex, bytes[j] == 0x0D { j += 1 }
                if j < bytes.endIndex, bytes[j] == 0x0A { return (bytes[bytes.startIndex..<i], bytes[(j + 1)...]) }
                if j >= bytes.endIndex { return (bytes[bytes.startIndex..<i], bytes[bytes.endIndex...]) }
            }
            i += 1
        }
        return (bytes, bytes[bytes.endIndex...])
    }

    /// The parts between `--boundary` lines, up to `--boundary--` or the end.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var start: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            var lineEnd = lineStart
            while lineEnd < body.endIndex, body[lineEnd] != 0x0A { lineEnd += 1 }
            let line = body[lineStart..<lineEnd]
            if line.starts(with: marker) {
                let after = line.dropFirst(marker.count)
                let isEnd = after.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
                let rest = isEnd ? after.dropFirst(2) : after
                if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let s = start { parts.append(trimLineEnd(body[s..<lineStart])) }
                    if isEnd { return parts }
                    start = min(lineEnd + 1, body.endIndex)
                }
            }
            lineStart = lineEnd + 1
        }
        if let s = start, s < body.endIndex { parts.append(body[s..<body.endIndex]) } // no closing boundary
        return parts
    }

    /// The line break before a boundary belongs to the boundary.
    static func trimLineEnd(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        if end > bytes.startIndex, bytes[end - 1] == 0x0A { end -= 1 }
        if end > bytes.startIndex, bytes[end - 1] == 0x0D { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }

    static func walk(_ part: Part, texts: inout [(plain: Bool, text: String)], attachments: inout [MIMEAttachment]) {
        if !part.children.isEmpty {
            for child in part.children { walk(child, texts: &texts, attachments: &attachments) }
            return
        }
        if part.type.value.hasPrefix("multipart/") { return } // an empty or unparsable multipart
        let decoded = MIMETransferEncoding.decode(Array(part.body), encoding: part.headers["Content-Transfer-Encoding"])
        let filename = part.disposition?["filename"] ?? part.type["name"]
        let isAttachment = part.disposition?.value == "attachment" || filename != nil
            || !(part.type.value == "text/plain" || part.type.value == "text/html")
        if !isAttachment {
            let text = MIMECharset.decode(decoded, charset: part.type["charset"])
            texts.append((part.type.value == "text/plain", part.type.value == "text/plain" ? unflow(text, part.type) : text))
            return
        }
        let contentID = MessageIDs.parse(part.headers["Content-ID"]).first
        attachments.append(MIMEAttachment(
            filename: safeFilename(filename) ?? defaultFilename(part.type.value), contentType: part.type.value,
            data: decoded, contentID: contentID, isInline: part.disposition?.value == "inline" || (contentID != nil && part.disposition == nil)))
    }

    /// format=flowed (RFC 3676): a line ending in a space continues on the next.
    static func unflow(_ text: String, _ type: MIMEHeaderValue) -> String {
        guard type["format"]?.lowercased() == "flowed" else { return text }
        let delsp = type["delsp"]?.lowercased() == "yes"
        var out = ""
        for line in text.components(separatedBy: "\n") {
            var line = line
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasPrefix(" ") { line.removeFirst() } // space-stuffing
            if line.hasSuffix(" ") && line != "-- " {
                out += delsp ? String(line.dropLast()) : line
            } else {
                out += line + "\n"
            }
        }
        return out
    }

    static func safeFilename(_ name: String?) -> String? {
        guard let name else { return nil }
        let cleaned = name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return cleaned.isEmpty ? nil : cleaned
    }

    static func defaultFilename(_ type: String) -> String {
        switch type {
        case "image/png": "attachment.png"
        case "image/jpeg": "attachment.jpg"
        case "image/gif": "attachment.gif"
        case "application/pdf": "attachment.pdf"
        case "text/calendar": "invite.ics"
        case "message/rfc822": "forwarded.eml"
        case "message/delivery-status": "delivery-status.txt"
        case "text/html": "attachment.html"
        case "text/plain": "attachment.txt"
        default: "attachment.bin"
        }
    }

    static func parseDate(_ raw: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard raw.count <= 200 else { return nil }
        let cleaned = raw.replacing(/\s*\([^)]*\)\s*$/, with: "").trimmingCharacters(in: .whitespaces)
        for format in ["EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z", "EEE, d MMM yy HH:mm:ss Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: cleaned) { return date }
        }
        return nil
    }
}
