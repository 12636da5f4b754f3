import Foundation
import HelpdeskCore

/// What a trigger does when it fires. Every change goes to the tickets service as one update, through the same
/// validation and events as an agent's.
public enum TriggerAction: Sendable, Equatable, CustomStringConvertible {
    /// `status`, `priority`, `type`, `assignee_id`, `team_id` or `custom_fields.<key>` (null clears).
    case set(field: String, value: JSONValue)
    case addTags([String])
    case removeTags([String])
    case addFollower(UUID)
    /// An internal note written by the trigger.
    case internalNote(String)

    static let settable: [String: Set<String>?] = [
        "status": ["open", "pending", "on_hold", "solved", "closed"], "priority": ["low", "normal", "high", "urgent"],
        "type": ["question", "incident", "problem", "task"], "assignee_id": nil, "team_id": nil,
    ]
    public static let names = ["set", "add_tags", "remove_tags", "add_follower", "internal_note"]

    /// Reads `{"action": "set", "field": "priority", "value": "high"}`, `{"action": "add_tags", "value": ["billing"]}`…;
    /// errors name `action`, `field` or `value`.
    public init(action: String, field: String?, value: JSONValue?) throws {
        func tags(_ v: JSONValue?) throws -> [String] {
            guard case .array(let items)? = v, !items.isEmpty, items.count <= 20 else {
                throw HelpdeskError.validation(field: "value", "must be a list of 1 to 20 tags")
            }
            return try items.map { item in
                guard let tag = item.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(), !tag.isEmpty, tag.textLength <= 100,
                      !tag.contains(where: { $0.isWhitespace || $0 == "," }) else {
                    throw HelpdeskError.validation(field: "value", "tags are 1 to 100 characters without spaces or commas")
                }
                return tag
            }
        }
        switch action {
        case "set":
            guard let field else { throw HelpdeskError.validation(field: "field", "is required") }
            let custom = field.hasPrefix("custom_fields.") && field.count > 14
            guard let allowed = Self.settable[field] ?? (custom ? .some(nil) : nil) else {
                throw HelpdeskError.validation(field: "field", "must be one of \(Self.settable.keys.sorted().joined(separator: ", ")) or custom_fields.<key>")
            }
            let value = value ?? .null
            if value == .null {
                guard ["type", "assignee_id", "team_id"].contains(field) || custom else {
                    throw HelpdeskError.validation(field: "value", "\(field) cannot be cleared")
                }
            } else if !custom {
                guard let text = value.stringValue else { throw HelpdeskError.validation(field: "value", "must be a string") }
                if let allowed, !allowed.contains(text) {
                    throw HelpdeskError.validation(field: "value", "must be one of \(allowed.sorted().joined(separator: ", "))")
                }
                if field.hasSuffix("_id"), UUID(uuidString: text) == nil { throw HelpdeskError.validation(field: "value", "must be a UUID") }
            }
            if field.hasSuffix("_id"), let text = value.stringValue {
                self = .set(field: field, value: .string(text.lowercased()))
            } else {
                self = .set(field: field, value: value)
            }
        case "add_tags": self = .addTags(try tags(value))
        case "remove_tags": self = .removeTags(try tags(value))
        case "add_follower":
            guard let id = value?.stringValue.flatMap(UUID.init(uuidString:)) else {
                throw HelpdeskError.validation(field: "value", "must be a user id")
            }
            self = .addFollower(id)
        case "internal_note":
            guard let body = value?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty, body.textLength <= 10_000 else {
                throw HelpdeskError.validation(field: "value", "must be a note of 1 to 10000 characters")
            }
            self = .internalNote(body)
        default:
            throw HelpdeskError.validation(field: "action", "must be one of \(Self.names.joined(separator: ", "))")
        }
        if field != nil, action != "set" { throw HelpdeskError.validation(field: "field", "only set takes a field") }
    }

    public var description: String {
        switch self {
        case .set(let field, let value): "set \(field) \(SLACondition.text(value) ?? "empty")"
        case .addTags(let tags): "add tags \(tags.joined(separator: ", "))"
        case .removeTags(let tags): "remove tags \(tags.joined(separator: ", "))"
        case .addFollower(let id): "add follower \(id.lowercased)"
        case .internalNote: "add an internal note"
        }
    }

    /// A value as the run log shows it: text, a list joined by commas, or `empty`.
    static func show(_ v: JSONValue) -> String {
        if case .array(let items) = v { return items.isEmpty ? "empty" : items.compactMap(SLACondition.text).joined(separator: ", ") }
        return SLACondition.text(v) ?? "empty"
    }

    /// Applies the action to the context, so later triggers in the same cycle see the ticket as changed, and
    /// returns what it changed (`priority: normal → high`); nothing when the ticket already had that value.
    func apply(to c: inout TriggerContext) -> [String] {
        func record(_ field: String, _ from: JSONValue, _ to: JSONValue) -> [String] {
            guard from != to else { return [] }
            let previous = c.changes[field]?.from ?? from
            c.changes[field] = (previous, to)
            return ["\(field): \(Self.show(from)) → \(Self.show(to))"]
        }
        let json = { (s: String?) in s.map(JSONValue.string) ?? .null }
        switch self {
        case .set(let field, let value):
            let text = value.stringValue
            switch field {
            case "status": let old = c.ticket.status; c.ticket.status = text ?? old; return record(field, .string(old), value)
            case "priority": let old = c.ticket.priority; c.ticket.priority = text ?? old; return record(field, .string(old), value)
            case "type": let old = c.ticket.type; c.ticket.type = text; return record(field, json(old), value)
            case "assignee_id":
                let old = c.ticket.assigneeID?.lowercased; c.ticket.assigneeID = text.flatMap(UUID.init(uuidString:))
                return record(field, json(old), value)
            case "team_id":
                let old = c.ticket.teamID?.lowercased; c.ticket.teamID = text.flatMap(UUID.init(uuidString:))
                return record(field, json(old), value)
            default:
                let key = String(field.dropFirst(14))
                let old = c.ticket.customFields[key] ?? .null
                c.ticket.customFields[key] = value == .null ? nil : value
                return record(field, old, value)
            }
        case .addTags(let tags), .removeTags(let tags):
            let old = c.ticket.tags
            var new = old
            if case .addTags = self { for tag in tags where !new.contains(tag) { new.append(tag) } } else { new.removeAll { tags.contains($0) } }
            c.ticket.tags = new
            return record("tags", .array(old.map(JSONValue.string)), .array(new.map(JSONValue.string)))
        case .addFollower(let id): return ["follower: \(id.lowercased)"]
        case .internalNote: return ["internal note"]
        }
    }
}
