import Foundation
import HelpdeskCore

/// Builds the events a ticket change writes to its stream, each marked public or internal.
///
/// Internal: notes, assignment, team, tags. A customer reading the history sees public events only, and
/// in those only the fields in `publicFields`.
struct TicketHistory {
    let principal: Principal
    let at: Date

    static let publicFields: Set<String> = ["subject", "status", "priority", "type", "number", "requester_id",
                                            "comment_id", "public", "author_id", "from", "to", "changes", "initial"]

    /// Every event names the role its actor acted in (`system` for a rule), and a rule's events name the rule, so
    /// triggers can tell a customer's change from an agent's and the history can say "changed by trigger X".
    func event(_ type: String, _ ticket: Ticket, _ data: [String: JSONValue]) -> EventEnvelope {
        var data = data
        data["actor_role"] = .string(principal.rule == nil ? principal.role.rawValue : "system")
        if let rule = principal.rule {
            data["rule"] = Self.json(rule)
            data["rules"] = .array(principal.rules.map(Self.json))
        }
        return EventEnvelope(type: type, workspaceID: ticket.workspaceID, actor: principal.actor,
                             subject: EventSubject(type: "ticket", id: ticket.id), occurredAt: at, data: .object(data))
    }

    static func json(_ rule: RuleActor) -> JSONValue {
        ["kind": .string(rule.kind), "id": .string(rule.id.lowercased), "name": .string(rule.name)]
    }

    func created(_ t: Ticket, comment: Comment) -> [(EventEnvelope, Bool)] {
        [
            (event("ticket.created", t, [
                "number": .number(Double(t.number)), "subject": .string(t.subject), "status": .string(t.status.rawValue),
                "priority": .string(t.priority.rawValue), "type": t.type.map { .string($0.rawValue) } ?? .null,
                "requester_id": .string(t.requesterID.lowercased), "assignee_id": Self.id(t.assigneeID),
                "team_id": Self.id(t.teamID), "tags": .array(t.tags.map { .string($0) }),
                "custom_fields": .object(t.customFields), "channel": .string(t.channel),
                "organization_id": Self.id(t.organizationID),
            ]), true),
            commentAdded(t, comment, initial: true),
        ]
    }

    /// `initial` marks the description written with the ticket, `automatic` a note the service wrote itself (a merge
    /// notice), so consumers can tell either from a reply.
    /// `changes`: what the same update changed on the ticket (a reply reopening it), so a reader of comments sees the
    /// update whole.
    func commentAdded(_ t: Ticket, _ c: Comment, initial: Bool = false, automatic: Bool = false,
                      changes: [String: JSONValue] = [:]) -> (EventEnvelope, Bool) {
        var data: [String: JSONValue] = [
            "comment_id": .string(c.id.lowercased), "public": .bool(c.isPublic), "author_id": .string(c.authorID.lowercased),
            // Who wrote it as the ticket saw them (unverified staff mail counts as a customer): SLA reply clocks read it.
            "author_role": .string(principal.role.rawValue),
        ]
        if initial { data["initial"] = .bool(true) }
        if automatic { data["automatic"] = .bool(true) }
        if !changes.isEmpty { data["changes"] = .object(changes) }
        return (event("comment.added", t, data), c.isPublic)
    }

    /// `ticket.updated` with a per-field diff, plus `ticket.status_changed` and `ticket.assigned` when those moved.
    /// `commentID`: the comment that caused the update (a reply reopening the ticket); triggers read such an update
    /// once, with its comment.
    func updated(from a: Ticket, to b: Ticket, commentID: UUID? = nil) -> [(EventEnvelope, Bool)] {
        let changes = Self.changes(from: a, to: b)
        guard !changes.isEmpty else { return [] }
        var data: [String: JSONValue] = ["changes": .object(changes)]
        if let commentID { data["comment_id"] = .string(commentID.lowercased) }
        var out: [(EventEnvelope, Bool)] = [(event("ticket.updated", b, data), true)]
        if a.status != b.status {
            out.append((event("ticket.status_changed", b, ["from": .string(a.status.rawValue), "to": .string(b.status.rawValue)]), true))
        }
        if a.assigneeID != b.assigneeID {
            out.append((event("ticket.assigned", b, ["from": Self.id(a.assigneeID), "to": Self.id(b.assigneeID)]), false))
        }
        return out
    }

    /// The per-field diff `{field: {from, to}}` between two versions of a ticket.
    static func changes(from a: Ticket, to b: Ticket) -> [String: JSONValue] {
        var changes: [String: JSONValue] = [:]
        func add(_ key: String, _ x: JSONValue, _ y: JSONValue) { if x != y { changes[key] = ["from": x, "to": y] } }
        add("subject", .string(a.subject), .string(b.subject))
        add("status", .string(a.status.rawValue), .string(b.status.rawValue))
        add("priority", .string(a.priority.rawValue), .string(b.priority.rawValue))
        add("type", a.type.map { .string($0.rawValue) } ?? .null, b.type.map { .string($0.rawValue) } ?? .null)
        add("assignee_id", id(a.assigneeID), id(b.assigneeID))
        add("team_id", id(a.teamID), id(b.teamID))
        add("tags", .array(a.tags.map { .string($0) }), .array(b.tags.map { .string($0) }))
        add("follower_ids", .array(a.followerIDs.map { .string($0.lowercased) }), .array(b.followerIDs.map { .string($0.lowercased) }))
        for key in Set(a.customFields.keys).union(b.customFields.keys) {
            add("custom_fields.\(key)", a.customFields[key] ?? .null, b.customFields[key] ?? .null)
        }
        return changes
    }

    static func id(_ id: UUID?) -> JSONValue { id.map { .string($0.lowercased) } ?? .null }

    /// What a customer may read of an event's data: public fields, and only public fields of a diff.
    static func customerView(_ data: JSONValue) -> JSONValue {
        guard case .object(var object) = data else { return data }
        object = object.filter { publicFields.contains($0.key) }
        if case .object(let changes)? = object["changes"] {
            object["changes"] = .object(changes.filter { publicFields.contains($0.key) })
        }
        return .object(object)
    }
}
