import Foundation
import HelpdeskCore
import Platform

/// A ticket as a client asks to create it; strings are raw input, checked by `Tickets`.
public struct NewTicket: Sendable {
    public var subject: String
    public var description: String
    public var priority: String?
    public var type: String?
    public var tags: [String]?
    public var requesterID: UUID?
    public var assigneeID: UUID?
    public var teamID: UUID?
    public var customFields: [String: JSONValue]?

    public init(subject: String, description: String, priority: String? = nil, type: String? = nil,
                tags: [String]? = nil, requesterID: UUID? = nil, assigneeID: UUID? = nil, teamID: UUID? = nil,
                customFields: [String: JSONValue]? = nil) {
        self.customFields = customFields
        self.subject = subject
        self.description = description
        self.priority = priority
        self.type = type
        self.tags = tags
        self.requesterID = requesterID
        self.assigneeID = assigneeID
        self.teamID = teamID
    }
}

/// Changes to a ticket; absent fields stay as they are.
public struct TicketChanges: Sendable {
    public var subject: String?
    public var status: String?
    public var priority: String?
    public var type: FieldUpdate<String?> = .absent
    public var assigneeID: FieldUpdate<UUID?> = .absent
    public var teamID: FieldUpdate<UUID?> = .absent
    public var tags: [String]?
    public var customFields: [String: JSONValue]?
    /// Agents who follow the ticket (get notified of its changes); replaces the list.
    public var followerIDs: [UUID]?

    public init(subject: String? = nil, status: String? = nil, priority: String? = nil,
                type: FieldUpdate<String?> = .absent, assigneeID: FieldUpdate<UUID?> = .absent,
                teamID: FieldUpdate<UUID?> = .absent, tags: [String]? = nil, customFields: [String: JSONValue]? = nil,
                followerIDs: [UUID]? = nil) {
        self.customFields = customFields
        self.followerIDs = followerIDs
        self.subject = subject
        self.status = status
        self.priority = priority
        self.type = type
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.tags = tags
    }

    /// What a customer may change on their own ticket: marking it solved, and the fields they may fill in
    /// (checked field by field).
    var isCustomerAllowed: Bool {
        subject == nil && priority == nil && type == .absent && assigneeID == .absent && teamID == .absent && tags == nil
            && followerIDs == nil
            && (status == nil || status == TicketStatus.solved.rawValue)
    }
}

/// A retry key from `Idempotency-Key`, with the hash of the request it came with.
public struct IdempotencyKey: Sendable {
    public let key: String
    public let requestHash: String

    /// Checks the header: 1 to 255 visible ASCII characters.
    public init(header: String, body: JSONValue) throws {
        guard !header.isEmpty, header.utf8.count <= 255, header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HelpdeskError.badParameter("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
        }
        key = header
        requestHash = SecureToken.hash(String(decoding: try EventJSON.encoder().encode(body), as: UTF8.self))
    }
}

/// What a create returns: the new resource, or the stored answer to an earlier identical request.
public enum Created<Value: Sendable>: Sendable {
    case created(Value)
    case replayed(status: Int, body: String)
}

/// Value rules for ticket fields.
enum TicketValidation {
    static let maxSubject = 250
    static let maxBody = 65_536
    static let maxTags = 50

    static func subject(_ raw: String, errors: inout [FieldError]) -> String? {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { errors.append(.init(field: "subject", message: "must not be empty")); return nil }
        if raw.textLength > maxSubject { errors.append(.init(field: "subject", message: "must be at most \(maxSubject) characters")); return nil }
        if s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "subject", message: "must not contain control characters")); return nil
        }
        return s
    }

    static func body(_ raw: String, field: String, errors: inout [FieldError]) -> String? {
        if raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(.init(field: field, message: "must not be empty")); return nil
        }
        if raw.utf8.count > maxBody { errors.append(.init(field: field, message: "must be at most \(maxBody) bytes")); return nil }
        return raw
    }

    static func status(_ raw: String, errors: inout [FieldError]) -> TicketStatus? {
        guard let s = TicketStatus(rawValue: raw) else {
            errors.append(.init(field: "status", message: "must be one of new, open, pending, on_hold, solved, closed"))
            return nil
        }
        return s
    }

    static func priority(_ raw: String, errors: inout [FieldError]) -> TicketPriority? {
        guard let p = TicketPriority(rawValue: raw) else {
            errors.append(.init(field: "priority", message: "must be one of low, normal, high, urgent")); return nil
        }
        return p
    }

    static func type(_ raw: String, errors: inout [FieldError]) -> TicketType? {
        guard let t = TicketType(rawValue: raw) else {
            errors.append(.init(field: "type", message: "must be one of question, incident, problem, task")); return nil
        }
        return t
    }

    /// Lowercased, deduplicated tags of letters, digits and `_-:./+` (`c++`), at most 64 characters each.
    static func tags(_ raw: [String], errors: inout [FieldError]) -> [String]? {
        var out: [String] = []
        for (i, item) in raw.enumerated() {
            let tag = item.trimmingCharacters(in: .whitespaces).lowercased()
            let ok = !tag.isEmpty && tag.textLength <= 64
                && tag.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-:./+".unicodeScalars.contains($0) }
            if !ok {
                errors.append(.init(field: "tags[\(i)]", message: "must be 1 to 64 letters, digits or _-:./+ (no spaces)"))
                return nil
            }
            if !out.contains(tag) { out.append(tag) }
        }
        if out.count > maxTags { errors.append(.init(field: "tags", message: "must have at most \(maxTags) tags")); return nil }
        return out
    }
}
