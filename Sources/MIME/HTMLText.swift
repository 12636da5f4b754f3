import Foundation

/// HTML to readable text: scripts, styles and the head dropped, block ends as newlines, tags removed,
/// entities decoded. Not a sanitizer for display: it produces plain text only.
public enum HTMLText {
    public static func text(from html: String) -> String {
        var s = html
        for tag in ["script", "style", "head", "title"] {
            s = s.replacing(try! Regex("(?is)<\(tag)\\b.*?</\(tag)\\s*>"), with: " ")
        }
        s = s.replacing(/(?s)<!--.*?-->/, with: "")
        s = s.replacing(/(?i)<br\s*\/?>/, with: "\n")
        s = s.replacing(/(?i)<\/(p|div|li|tr|h[1-6]|blockquote|table|ul|ol)\s*>/, with: "\n")
        s = s.replacing(/(?i)<(p|div|li|tr|h[1-6]|blockquote)\b[^>]*>/, with: "\n")
        s = s.replacing(/<[^>]*>/, with: "")
        s = decodeEntities(s)
        // Tidy: trailing spaces, runs of blank lines.
        let lines = s.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [String] = []
        for line in lines where !(line.isEmpty && (out.last?.isEmpty ?? true)) { out.append(line) }
        return out.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "eacute": "é", "egrave": "è",
        "agrave": "à", "ccedil": "ç", "ecirc": "ê", "ocirc": "ô", "uuml": "ü", "ouml": "ö", "auml": "ä", "euro": "€",
        "copy": "©", "reg": "®", "hellip": "…", "mdash": "—", "ndash": "–", "laquo": "«", "raquo": "»",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "oelig": "œ", "szlig": "ß", "iuml": "ï", "ugrave": "ù",
    ]

    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacing(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/) { match in
            let body = String(match.output.1)
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                return UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? String(match.output.0)
            }
            if body.hasPrefix("#") {
                return UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? String(match.output.0)
            }
            return named[body.lowercased()] ?? String(match.output.0)
        }
    }
}
