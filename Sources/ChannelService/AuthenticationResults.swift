import Foundation

/// One `Authentication-Results` header (RFC 8601): who checked the message (`authserv-id`) and what each
/// method found (`dkim=pass header.d=example.com`). Comments are dropped; values may be quoted.
public struct AuthenticationResults: Sendable, Equatable {
    public struct Result: Sendable, Equatable {
        /// `dkim`, `spf`, `dmarc`, … lowercased, without a version.
        public let method: String
        /// `pass`, `fail`, `none`, … lowercased.
        public let result: String
        /// `header.d`, `header.from`, `smtp.mailfrom`, … (keys lowercased) → value.
        public let properties: [String: String]
    }

    public let authservID: String
    public let results: [Result]

    /// Nil when the header has no `authserv-id`.
    public static func parse(_ value: String) -> AuthenticationResults? {
        let parts = split(uncommented(value), on: ";")
        guard let first = parts.first?.split(whereSeparator: \.isWhitespace).first else { return nil }
        let id = unquoted(String(first)).lowercased()
        guard !id.isEmpty else { return nil }
        var results: [Result] = []
        for part in parts.dropFirst() {
            // `method[/version]=result`, then `reason=…` and `ptype.property=value` pairs.
            let pairs = words(part).compactMap { token -> (String, String)? in
                guard let eq = token.firstIndex(of: "=") else { return nil }
                return (token[..<eq].lowercased(), unquoted(String(token[token.index(after: eq)...])))
            }
            guard let (methodSpec, result) = pairs.first, !methodSpec.isEmpty else { continue }
            let method = String(methodSpec.split(separator: "/").first ?? "")
            var properties: [String: String] = [:]
            for (key, value) in pairs.dropFirst() where key.contains(".") && properties[key] == nil { properties[key] = value }
            results.append(Result(method: method, result: result.lowercased(), properties: properties))
        }
        return AuthenticationResults(authservID: id, results: results)
    }

    /// Whether this header shows the `From:` domain authenticated: DMARC passed for it, or a DKIM signature of
    /// that domain (or its parent, relaxed alignment) passed.
    public func authenticates(fromDomain domain: String) -> Bool {
        let domain = domain.lowercased()
        func aligned(_ d: String?) -> Bool {
            // A signer without a dot (a top-level domain) aligns with nothing.
            guard let d = d?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")), d.contains(".") else { return false }
            return domain == d || domain.hasSuffix("." + d) || d.hasSuffix("." + domain)
        }
        return results.contains { r in
            guard r.result == "pass" else { return false }
            switch r.method {
            case "dmarc": return r.properties["header.from"].map { $0.lowercased() == domain } ?? true
            case "dkim":
                let signer = r.properties["header.d"] ?? r.properties["header.i"].map { String($0.split(separator: "@").last ?? "") }
                return aligned(signer)
            default: return false
            }
        }
    }

    /// Whether a message's headers prove its `From:` address: only the topmost header from `trustedID` counts
    /// (the receiving MTA adds its own above what the sender wrote), and without a trusted id nothing does.
    public static func verifies(_ headers: [String], trustedID: String?, fromAddress: String) -> Bool {
        guard let trusted = trustedID?.lowercased(), !trusted.isEmpty,
              let at = fromAddress.lastIndex(of: "@") else { return false }
        let domain = String(fromAddress[fromAddress.index(after: at)...])
        guard let header = headers.lazy.compactMap(parse).first(where: { $0.authservID == trusted }) else { return false }
        return header.authenticates(fromDomain: domain)
    }

    /// The value with `(comments)` removed, nesting and quoted strings respected.
    static func uncommented(_ value: String) -> String {
        var out = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for ch in value {
            if escaped { escaped = false; if depth == 0 { out.append(ch) }; continue }
            if ch == "\\" { escaped = true; if depth == 0 { out.append(ch) }; continue }
            if quoted { out.append(ch); if ch == "\"" { quoted = false }; continue }
            switch ch {
            case "(": depth += 1
            case ")": depth = max(depth - 1, 0)
            case "\"" where depth == 0: quoted = true; out.append(ch)
            default: if depth == 0 { out.append(ch) }
            }
        }
        return out
    }

    static func split(_ value: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for ch in value {
            if ch == "\"" { quoted.toggle() }
            if ch == separator && !quoted { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Splits on blanks outside quoted strings.
    static func words(_ value: String) -> [Substring] {
        var words: [Substring] = []
        var start: String.Index?
        var quoted = false
        for i in value.indices {
            let ch = value[i]
            if ch == "\"" { quoted.toggle() }
            if ch.isWhitespace && !quoted {
                if let s = start { words.append(value[s..<i]); start = nil }
            } else if start == nil { start = i }
        }
        if let s = start { words.append(value[s...]) }
        return words
    }

    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return value }
        return String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
    }
}
