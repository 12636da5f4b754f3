import Foundation
import HelpdeskCore

/// An admin-defined ticket field; tickets carry its value under `custom_fields[key]`.
public struct TicketField: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case text, textarea, number, decimal, checkbox, date, dropdown, multiselect, regex
    }

    public struct Option: Sendable, Equatable, Codable {
        public var value: String
        public var label: String
    }

    public var id: UUID
    public var workspaceID: UUID
    public var key: String
    public var title: String
    public var kind: Kind
    public var options: [Option]
    public var pattern: String?
    public var requiredOnSolve: Bool
    /// Whether customers see and set it; other fields are internal.
    public var customerEditable: Bool
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    /// A value as stored, or what is wrong with it.
    enum ValueCheck {
        case value(JSONValue)
        case problem(String)
    }

    /// The stored form of `value`, or the reason it does not fit this field. Null clears the field.
    func normalize(_ value: JSONValue) -> ValueCheck {
        if value == .null { return .value(.null) }
        switch kind {
        case .text, .textarea:
            guard case .string(let s) = value else { return .problem("must be a string") }
            let limit = kind == .text ? 1000 : 65_536
            return s.textLength <= limit ? .value(.string(s)) : .problem("must be at most \(limit) characters")
        case .number:
            guard case .number(let n) = value, n.rounded() == n, abs(n) < 9e15 else { return .problem("must be an integer") }
            return .value(.number(n))
        case .decimal:
            guard case .number(let n) = value, n.isFinite else { return .problem("must be a number") }
            return .value(.number(n))
        case .checkbox:
            guard case .bool = value else { return .problem("must be true or false") }
            return .value(value)
        case .date:
            guard case .string(let s) = value, Self.isDate(s) else { return .problem("must be a date such as 2026-01-31") }
            return .value(value)
        case .dropdown:
            guard case .string(let s) = value, options.contains(where: { $0.value == s }) else {
                return .problem("must be one of \(options.map(\.value).joined(separator: ", "))")
            }
            return .value(value)
        case .multiselect:
            guard case .array(let items) = value else { return .problem("must be an array of option values") }
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item, options.contains(where: { $0.value == s }) else {
                    return .problem("must contain only \(options.map(\.value).joined(separator: ", "))")
                }
                if !out.contains(s) { out.append(s) }
            }
            return .value(.array(out.map { .string($0) }))
        case .regex:
            guard case .string(let s) = value else { return .problem("must be a string") }
            guard let pattern, let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$"),
                  regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil else {
                return .problem("does not match the pattern \(pattern ?? "")")
            }
            return .value(.string(s))
        }
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-")
        guard s.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d), y >= 1 else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: y, month: m, day: d)).map {
            calendar.component(.day, from: $0) == d
        } ?? false
    }
}

extension TicketField: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, key, title, type, options, pattern, active
        case requiredOnSolve = "required_on_solve"
        case customerEditable = "customer_editable"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(key, forKey: .key)
        try c.encode(title, forKey: .title)
        try c.encode(kind.rawValue, forKey: .type)
        if kind == .dropdown || kind == .multiselect { try c.encode(options, forKey: .options) }
        if kind == .regex { try c.encode(pattern, forKey: .pattern) }
        try c.encode(requiredOnSolve, forKey: .requiredOnSolve)
        try c.encode(customerEditable, forKey: .customerEditable)
        try c.encode(active, forKey: .active)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
