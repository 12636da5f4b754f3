import Foundation
import HelpdeskCore

/// What the automations service knows of one ticket, folded from the tickets' events (never read from their tables):
/// the facts SLA policies match on and the timeline their clocks run over, and what time-based automations look at
/// (subject, assignee, when it was last touched and assigned). Pure, so every replica folds the same.
public struct SLATicketState: Sendable, Equatable {
    public let ticketID: UUID
    public let workspaceID: UUID
    public var facts: SLATicketFacts
    public var timeline: SLATimeline
    public var status: String
    /// A deleted or merged-away ticket has nothing due.
    public var ended: Bool
    public var subject: String = ""
    public var requesterID: UUID?
    public var assigneeID: UUID?
    /// When the current assignee was set (nil: unassigned).
    public var assignedAt: Date?
    /// When any event last changed the ticket or added a comment (nil: known from before these were kept).
    public var touchedAt: Date?

    public init(ticketID: UUID, workspaceID: UUID, facts: SLATicketFacts, timeline: SLATimeline, status: String,
                ended: Bool = false) {
        self.ticketID = ticketID
        self.workspaceID = workspaceID
        self.facts = facts
        self.timeline = timeline
        self.status = status
        self.ended = ended
    }

    /// The event types that move an SLA.
    public static let eventTypes: Set<String> = ["ticket.created", "ticket.updated", "comment.added", "ticket.deleted",
                                                 "ticket.merged"]

    /// The state a `ticket.created` event starts.
    public static func started(by event: EventEnvelope) -> SLATicketState? {
        guard event.type == "ticket.created", event.subject.type == "ticket" else { return nil }
        let d = event.data
        let status = d["status"]?.stringValue ?? "new"
        var custom: [String: JSONValue] = [:]
        if case .object(let o)? = d["custom_fields"] { custom = o }
        let facts = SLATicketFacts(priority: d["priority"]?.stringValue ?? "normal", type: d["type"]?.stringValue,
                                   teamID: d["team_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                                   organizationID: d["organization_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                                   tags: Self.strings(d["tags"]), channel: d["channel"]?.stringValue ?? "api",
                                   customFields: custom)
        var state = SLATicketState(ticketID: event.subject.id, workspaceID: event.workspaceID, facts: facts,
                                   timeline: SLATimeline(createdAt: event.occurredAt, events: [.status(at: event.occurredAt, to: status)]),
                                   status: status)
        state.subject = d["subject"]?.stringValue ?? ""
        state.requesterID = d["requester_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        state.assigneeID = d["assignee_id"]?.stringValue.flatMap(UUID.init(uuidString:))
        state.assignedAt = state.assigneeID == nil ? nil : event.occurredAt
        state.touchedAt = event.occurredAt
        return state
    }

    /// Applies one later event of the same ticket; events of other types leave the state as it was.
    public mutating func apply(_ event: EventEnvelope) {
        let d = event.data
        if event.type == "comment.added" || event.type == "ticket.updated" { touchedAt = max(touchedAt ?? event.occurredAt, event.occurredAt) }
        switch event.type {
        case "comment.added":
            // The description and a merge notice are not replies; internal notes run no customer-facing clock.
            guard d["public"] == .bool(true), d["initial"] != .bool(true), d["automatic"] != .bool(true) else { return }
            let role = d["author_role"]?.stringValue.flatMap(Role.init(rawValue:))
            timeline.events.append(.publicReply(at: event.occurredAt, byStaff: role?.isStaff ?? false))
        case "ticket.updated":
            guard case .object(let changes)? = d["changes"] else { return }
            for (key, change) in changes {
                let to = change["to"]
                switch key {
                case "priority": if let p = to?.stringValue { facts.priority = p }
                case "type": facts.type = to?.stringValue
                case "team_id": facts.teamID = to?.stringValue.flatMap(UUID.init(uuidString:))
                case "organization_id": facts.organizationID = to?.stringValue.flatMap(UUID.init(uuidString:))
                case "subject": if let s = to?.stringValue { subject = s }
                case "requester_id": requesterID = to?.stringValue.flatMap(UUID.init(uuidString:))
                case "assignee_id":
                    assigneeID = to?.stringValue.flatMap(UUID.init(uuidString:))
                    assignedAt = assigneeID == nil ? nil : event.occurredAt
                case "tags": facts.tags = Self.strings(to)
                case "status":
                    if let s = to?.stringValue {
                        status = s
                        timeline.events.append(.status(at: event.occurredAt, to: s))
                    }
                default:
                    if key.hasPrefix("custom_fields.") {
                        let field = String(key.dropFirst("custom_fields.".count))
                        if let to, to != .null { facts.customFields[field] = to } else { facts.customFields[field] = nil }
                    }
                }
            }
        case "ticket.deleted":
            ended = true
        case "ticket.merged":
            // Both tickets carry `ticket.merged`; the one merged away names its target in `into_ticket_id` and ends.
            if d["into_ticket_id"]?.stringValue != nil { ended = true }
        default:
            return
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.stringValue)
    }
}
