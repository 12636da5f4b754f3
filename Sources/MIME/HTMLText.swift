import Foundation

/// HTML to readable text: scripts, styles and the head dropped, block ends as newlines, tags removed,
/// entities decoded. Not a sanitizer for display: it produces plain text only.
public enum HTMLText {
    /// One linear pass: hostile input (thousands of `<` or unclosed `<script`) costs no more than its length.
    public static func text(from html: String) -> String {
        let blocks: Set<String> = ["br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
                                   "ul", "ol"]
        let dropped: Set<String> = ["script", "style", "head", "title"]
        var out = ""
        var i = html.startIndex
        while i < html.endIndex {
            guard html[i] == "<" else {
                let next = html[i...].firstIndex(of: "<") ?? html.endIndex
                out += html[i..<next]
                i = next
                continue
            }
            if html[i...].hasPrefix("<!--") {
                i = html.range(of: "-->", range: i..<html.endIndex)?.upperBound ?? html.endIndex
                continue
            }
            guard let close = html[i...].firstIndex(of: ">") else { break } // an unclosed tag ends the text
            let inside = html[html.index(after: i)..<close]
            let closing = inside.hasPrefix("/")
            let name = inside.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            i = html.index(after: close)
            if !closing, dropped.contains(name) {
                // Skip to the matching end tag; without one, the rest is dropped.
                i = html.range(of: "</\(name)", options: .caseInsensitive, range: i..<html.endIndex)
                    .flatMap { end in html[end.upperBound...].firstIndex(of: ">").map { html.index(after: $0) } } ?? html.endIndex
                out += " "
                continue
            }
            if blocks.contains(name) { out += "\n" }
        }
        let decoded = decodeEntities(out)
        // Tidy: trailing spaces, runs of blank lines.
        let lines = decoded.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var kept: [String] = []
        for line in lines where !(line.isEmpty && (kept.last?.isEmpty ?? true)) { kept.append(line) }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
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
