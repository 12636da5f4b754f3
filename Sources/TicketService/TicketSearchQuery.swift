import Foundation
import HelpdeskCore
import Platform

/// Free text of a search: words and phrases that must appear, words that must not.
struct SearchText: Sendable, Equatable {
    var words: [String] = []
    var phrases: [String] = []
    var excluded: [String] = []

    var hasPositive: Bool { !words.isEmpty || !phrases.isEmpty }
    var isEmpty: Bool { !hasPositive && excluded.isEmpty }

    /// FTS5 MATCH syntax: every term quoted (so user text is never syntax), AND by juxtaposition.
    var fts5Positive: String { (words + phrases).map(Self.quote).joined(separator: " ") }
    var fts5Excluded: String { excluded.map(Self.quote).joined(separator: " OR ") }

    /// PostgreSQL `websearch_to_tsquery` syntax, which never fails on odd input.
    var websearchPositive: String { (words + phrases.map { "\"\($0)\"" }).joined(separator: " ") }
    var websearchExcluded: String { excluded.joined(separator: " or ") }

    static func quote(_ term: String) -> String { "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Parses `q`: `status:open priority:high assignee:me tag:billing requester:alice@example.com created>2026-01-01
/// "exact phrase" -excluded` and plain words.
struct TicketSearchQuery: Sendable {
    static let fields = ["status", "priority", "type", "assignee", "requester", "tag", "created", "updated", "sla"]

    var text = SearchText()
    var statuses: [TicketStatus] = []
    var priorities: [TicketPriority] = []
    var types: [TicketType] = []
    var assignee: String?
    var requesterEmail: String?
    var tags: [String] = []
    var createdAfter: Date?
    var createdBefore: Date?
    var updatedAfter: Date?
    var updatedBefore: Date?
    var sla: TicketFilter.SLAState?

    static func parse(_ raw: String) throws -> TicketSearchQuery {
        guard raw.textLength <= 1000 else { throw HelpdeskError.badParameter("q", "must be at most 1000 characters") }
        // Pasted line breaks and tabs are spaces; other control characters (NUL among them) mean nothing in a search
        // and the full-text index refuses them.
        let q = String(String.UnicodeScalarView(raw.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }))
        if q.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw HelpdeskError.badParameter("q", "must not contain control characters")
        }
        var out = TicketSearchQuery()
        var unknown: [String] = []
        for token in tokenize(q) {
            if token.quoted {
                let phrase = token.text.trimmingCharacters(in: .whitespaces)
                if !phrase.isEmpty { out.text.phrases.append(phrase) }
                continue
            }
            let t = token.text
            if t.hasPrefix("-"), t.count > 1 {
                out.text.excluded.append(String(t.dropFirst()))
                continue
            }
            guard let opIndex = t.firstIndex(where: { $0 == ":" || $0 == ">" || $0 == "<" }), opIndex != t.startIndex else {
                out.text.words.append(t)
                continue
            }
            let name = t[..<opIndex].lowercased()
            let op = t[opIndex]
            let value = String(t[t.index(after: opIndex)...])
            guard fields.contains(name) else {
                // `http://…` and colons inside non-word text are text, not fields.
                let isURL = op == ":" && value.hasPrefix("//")
                if !isURL && name.allSatisfy({ $0.isLetter || $0 == "_" }) { unknown.append(name) } else { out.text.words.append(t) }
                continue
            }
            try out.apply(name, op, value)
        }
        if !unknown.isEmpty {
            throw HelpdeskError.badParameter("q", "unknown search field\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")); known: \(fields.joined(separator: ", "))")
        }
        return out
    }

    private mutating func apply(_ name: String, _ op: Character, _ value: String) throws {
        func bad(_ message: String) -> HelpdeskError { .badParameter("q", "\(name): \(message)") }
        if name == "created" || name == "updated" {
            guard let date = Self.date(value) else { throw bad("expects a date such as 2026-01-31") }
            let dayEnd = date.addingTimeInterval(86_400)
            switch (name, op) {
            case ("created", ">"): createdAfter = date
            case ("created", "<"): createdBefore = date
            case ("created", _): createdAfter = date.addingTimeInterval(-0.001); createdBefore = dayEnd
            case ("updated", ">"): updatedAfter = date
            case ("updated", "<"): updatedBefore = date
            default: updatedAfter = date.addingTimeInterval(-0.001); updatedBefore = dayEnd
            }
            return
        }
        guard op == ":" else { throw bad("use \(name):value") }
        guard !value.isEmpty else { throw bad("needs a value") }
        switch name {
        case "status":
            guard let s = TicketStatus(rawValue: value) else { throw bad("unknown status \(value)") }
            statuses.append(s)
        case "priority":
            guard let p = TicketPriority(rawValue: value) else { throw bad("unknown priority \(value)") }
            priorities.append(p)
        case "type":
            guard let t = TicketType(rawValue: value) else { throw bad("unknown type \(value)") }
            types.append(t)
        case "assignee": assignee = value.lowercased()
        case "requester": requesterEmail = value
        case "sla":
            guard let state = TicketFilter.SLAState(rawValue: value.lowercased()) else { throw bad("expects breached or at_risk") }
            sla = state
        default: tags.append(value.lowercased())
        }
    }

    static func date(_ raw: String) -> Date? {
        RFC3339.date(from: raw) ?? (raw.count == 10 ? RFC3339.date(from: raw + "T00:00:00Z") : nil)
    }

    /// Splits on spaces, keeping `"quoted phrases"` whole.
    static func tokenize(_ q: String) -> [(text: String, quoted: Bool)] {
        var tokens: [(String, Bool)] = []
        var current = ""
        var inQuotes = false
        for ch in q {
            if ch == "\"" {
                if inQuotes { tokens.append((current, true)); current = "" } else if !current.isEmpty {
                    tokens.append((current, false)); current = ""
                }
                inQuotes.toggle()
            } else if ch.isWhitespace && !inQuotes {
                if !current.isEmpty { tokens.append((current, false)); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { tokens.append((current, inQuotes)) }
        return tokens
    }
}
