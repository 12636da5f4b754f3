import Foundation

/// The header block of a message or part: unfolded, in order, names compared case-insensitively.
public struct MIMEHeaders: Sendable, Equatable {
    public let fields: [(name: String, value: String)]

    public static func == (a: MIMEHeaders, b: MIMEHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Parses raw header bytes. Continuation lines join their header with one space; a line without a colon
    /// (malformed) is skipped; 8-bit header bytes are read as UTF-8, else Windows-1252.
    public init(raw: [UInt8]) {
        // NUL and other C0 controls (tabs aside) have no place in a header and some databases refuse them.
        let text = String(MIMECharset.utf8OrFallback(raw).unicodeScalars.map { scalar -> Character in
            scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" ? " " : Character(scalar)
        })
        var fields: [(String, String)] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(line)
            while line.last == "\r" { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t" {
                if let last = fields.popLast() {
                    fields.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
                }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            fields.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        self.fields = fields
    }

    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public func all(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }
}

/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header text. Whitespace between two adjacent encoded
/// words is dropped; an encoded word that does not parse stays as literal text.
public enum EncodedWords {
    public static func decode(_ text: String) -> String {
        let pattern = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/
        var out = ""
        var rest = Substring(text)
        var previousWasEncoded = false
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[..<match.range.lowerBound]
            if !(previousWasEncoded && between.allSatisfy(\.isWhitespace)) { out += between }
            let charset = String(match.output.1)
            let raw = Array(match.output.3.utf8)
            let bytes = match.output.2.uppercased() == "B"
                ? MIMETransferEncoding.base64(raw)
                : MIMETransferEncoding.quotedPrintable(raw, underscoreIsSpace: true)
            out += MIMECharset.decode(bytes, charset: charset).filter { ch in
                !ch.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            }
            rest = rest[match.range.upperBound...]
            previousWasEncoded = true
        }
        return out + rest
    }
}

/// A structured header value: `type/subtype; name=value; …` with quoted strings, RFC 2231 extended and
/// continued parameters (`name*=utf-8''%C3%A9`, `name*0*=…; name*1*=…`) and RFC 2047 words in values.
public struct MIMEHeaderValue: Sendable, Equatable {
    public let value: String
    public let parameters: [String: String]

    public init(_ raw: String) {
        let pieces = Self.split(raw)
        value = (pieces.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var simple: [String: String] = [:]
        var continued: [String: [(Int, String, Bool)]] = [:]
        var extended: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            var name = piece[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var text = piece[piece.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            let encoded = name.hasSuffix("*")
            if encoded { name.removeLast() }
            if let star = name.lastIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                continued[String(name[..<star]), default: []].append((index, text, encoded))
            } else if encoded {
                extended[name] = Self.decodeExtended(text, first: true).text
            } else {
                simple[name] = EncodedWords.decode(text)
            }
        }
        for (name, parts) in continued {
            var charset: String?
            var bytes: [UInt8] = []
            for (i, (_, text, encoded)) in parts.sorted(by: { $0.0 < $1.0 }).enumerated() {
                if encoded {
                    let decoded = Self.decodeExtendedBytes(text, first: i == 0)
                    if i == 0 { charset = decoded.charset }
                    bytes += decoded.bytes
                } else {
                    bytes += Array(text.utf8)
                }
            }
            extended[name] = MIMECharset.decode(bytes, charset: charset)
        }
        parameters = simple.merging(extended) { _, rfc2231 in rfc2231 }
    }

    public subscript(name: String) -> String? { parameters[name.lowercased()] }

    /// Splits on `;` outside quoted strings.
    static func split(_ raw: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in raw {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" && quoted { current.append(ch); escaped = true; continue }
            if ch == "\"" { quoted.toggle() }
            if ch == ";" && !quoted { pieces.append(current); current = ""; continue }
            current.append(ch)
        }
        pieces.append(current)
        return pieces.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty || pieces.first == $0 }
    }

    static func decodeExtended(_ text: String, first: Bool) -> (text: String, charset: String?) {
        let decoded = decodeExtendedBytes(text, first: first)
        return (MIMECharset.decode(decoded.bytes, charset: decoded.charset), decoded.charset)
    }

    /// `charset'language'percent-encoded` (the charset part only on the first piece).
    static func decodeExtendedBytes(_ text: String, first: Bool) -> (bytes: [UInt8], charset: String?) {
        var charset: String?
        var encoded = Substring(text)
        if first {
            let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3 {
                charset = String(parts[0])
                encoded = parts[2]
            }
        }
        var bytes: [UInt8] = []
        var utf8 = Array(encoded.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let high = MIMETransferEncoding.hex(utf8[utf8.startIndex]),
               let low = MIMETransferEncoding.hex(utf8[utf8.startIndex + 1]) {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return (bytes, charset)
    }
}

/// A mailbox: `Name <address>`.
public struct MailAddress: Sendable, Equatable {
    public let name: String?
    /// Lowercased.
    public let address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// Every address of an address-list header (`To`, `Cc`), groups flattened.
    public static func list(_ raw: String?) -> [MailAddress] {
        guard let raw else { return [] }
        var items: [String] = []
        var current = ""
        var quoted = false
        var angle = 0
        var comment = 0
        for ch in raw {
            switch ch {
            case "\"" where comment == 0: quoted.toggle()
            case "<" where !quoted: angle += 1
            case ">" where !quoted: angle = max(0, angle - 1)
            case "(" where !quoted: comment += 1
            case ")" where !quoted: comment = max(0, comment - 1)
            case ",", ";":
                if !quoted && angle == 0 && comment == 0 { items.append(current); current = ""; continue }
            case ":" where !quoted && angle == 0 && comment == 0:
                current = "" // "Group name:" starts a group; its members follow
                continue
            default: break
            }
            current.append(ch)
        }
        items.append(current)
        return items.compactMap(parse)
    }

    /// One mailbox; nil when there is no address in it.
    public static func parse(_ raw: String) -> MailAddress? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            let address = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            guard address.contains("@") else { return nil }
            var name = text[..<open].trimmingCharacters(in: .whitespaces)
            name = unquote(EncodedWords.decode(name))
            return MailAddress(name: name.isEmpty ? nil : name, address: address.lowercased())
        }
        // A bare address, maybe with a (comment) holding the name.
        var name: String?
        var bare = text
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            name = EncodedWords.decode(String(text[text.index(after: open)..<close])).trimmingCharacters(in: .whitespaces)
            bare = String(text[..<open] + text[text.index(after: close)...])
        }
        let address = bare.trimmingCharacters(in: .whitespaces)
        guard address.contains("@"), !address.contains(" ") else { return nil }
        return MailAddress(name: name?.isEmpty == false ? name : nil, address: address.lowercased())
    }

    static func unquote(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return text.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
    }
}

/// Message ids from `Message-ID`, `In-Reply-To`, `References`: the text between angle brackets.
public enum MessageIDs {
    public static func parse(_ raw: String?) -> [String] {
        guard let raw else { return [] }
        var ids: [String] = []
        var rest = Substring(raw)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            ids = raw.split(whereSeparator: \.isWhitespace).map(String.init).filter { $0.contains("@") }
        }
        return ids
    }
}
