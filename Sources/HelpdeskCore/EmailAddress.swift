import Foundation

/// Email syntax check and the case-insensitive form emails are compared in.
public enum EmailAddress {
    /// Maximum length per RFC 5321.
    public static let maxLength = 254

    /// Lowercased and trimmed: emails are unique per workspace regardless of case.
    public static func normalize(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces or control characters.
    public static func isValid(_ email: String) -> Bool {
        guard email.count <= maxLength, !email.isEmpty else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            return false
        }
        return !email.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }
}
