import Foundation

/// Separates a reply from the history its mail client quoted below it: "On … wrote:" / "Le … a écrit :",
/// Outlook's "-----Original Message-----" and "From:/De :" blocks, and trailing `>` lines. The quote is kept
/// (to show collapsed), never thrown away; a message that is nothing but quote keeps its text as the reply.
public enum QuotedHistory {
    public struct Split: Sendable, Equatable {
        public let reply: String
        public let quoted: String?
    }

    public static func split(_ text: String) -> Split {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        guard let cut = firstQuoteLine(lines) else { return Split(reply: text.trimmingCharacters(in: .whitespacesAndNewlines), quoted: nil) }
        let reply = lines[..<cut].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let quoted = lines[cut...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if reply.isEmpty { return Split(reply: text.trimmingCharacters(in: .whitespacesAndNewlines), quoted: nil) }
        return Split(reply: reply, quoted: quoted.isEmpty ? nil : quoted)
    }

    static func firstQuoteLine(_ lines: [String]) -> Int? {
        // Where the trailing block of `>` and blank lines starts, found once from the end (linear).
        var trailing = lines.count
        while trailing > 0 {
            let line = lines[trailing - 1].trimmingCharacters(in: .whitespaces)
            guard line.isEmpty || line.hasPrefix(">") else { break }
            trailing -= 1
        }
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let joined = i + 1 < lines.count ? line + " " + lines[i + 1].trimmingCharacters(in: .whitespaces) : line
            if isAttribution(line) || (!line.isEmpty && isAttribution(joined) && !isAttribution(lines[i + 1])) { return i }
            if isSeparator(line) { return i }
            if isHeaderBlock(lines, at: i) { return i }
            if line.hasPrefix(">"), i >= trailing { return i }
        }
        return nil
    }

    /// "On Mon, 3 Feb 2025 at 10:12, Marie <m@example.com> wrote:" and the French, German and Spanish forms.
    static func isAttribution(_ line: String) -> Bool {
        let lower = line.lowercased()
        guard lower.count < 300 else { return false }
        return (lower.hasPrefix("on ") && lower.hasSuffix("wrote:"))
            || (lower.hasPrefix("le ") && (lower.hasSuffix("a écrit :") || lower.hasSuffix("a écrit:")))
            || (lower.hasPrefix("am ") && lower.hasSuffix("schrieb:"))
            || (lower.hasPrefix("el ") && lower.hasSuffix("escribió:"))
    }

    static func isSeparator(_ line: String) -> Bool {
        let lower = line.lowercased()
        return lower.range(of: #"^-{2,}\s*(original message|message d'origine|message d’origine|ursprüngliche nachricht)\s*-{2,}$"#,
                           options: .regularExpression) != nil
            || (lower.hasPrefix("________________________________") && lower.allSatisfy { $0 == "_" })
    }

    /// Outlook's quoted header block: "From:" (or "De :") then "Sent:"/"Envoyé :"/"Date:" within two lines.
    static func isHeaderBlock(_ lines: [String], at i: Int) -> Bool {
        let line = lines[i].trimmingCharacters(in: .whitespaces).lowercased()
        guard line.hasPrefix("from:") || line.hasPrefix("de :") || line.hasPrefix("de:") else { return false }
        let next = lines[(i + 1)..<min(i + 3, lines.count)].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return next.contains { $0.hasPrefix("sent:") || $0.hasPrefix("envoyé :") || $0.hasPrefix("envoyé:") || $0.hasPrefix("date:") }
    }
}
