import Foundation
import HelpdeskCore
import Platform

/// A ticket `helpdesk seed` wrote straight into the tickets tables (no events), as this service's read model needs
/// it: what its consumer would have folded from the ticket's events.
public struct SeededTicket: Sendable {
    public let id: UUID
    public let subject: String, status: String, priority: String, type: String?
    public let requesterID: UUID, assigneeID: UUID?, teamID: UUID?, organizationID: UUID?
    public let tags: [String], channel: String, customFields: [String: JSONValue]
    public let createdAt: Date, updatedAt: Date
    /// Public messages after the description, oldest first; `byStaff` false for the requester's.
    public let publicReplies: [(at: Date, byStaff: Bool)]

    public init(id: UUID, subject: String, status: String, priority: String, type: String?, requesterID: UUID, assigneeID: UUID?,
                teamID: UUID?, organizationID: UUID?, tags: [String], channel: String, customFields: [String: JSONValue],
                createdAt: Date, updatedAt: Date, publicReplies: [(at: Date, byStaff: Bool)]) {
        self.id = id
        self.subject = subject
        self.status = status
        self.priority = priority
        self.type = type
        self.requesterID = requesterID
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.organizationID = organizationID
        self.tags = tags
        self.channel = channel
        self.customFields = customFields
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.publicReplies = publicReplies
    }

    /// Created `new`, its replies, then its status since its last update.
    func state(workspaceID: UUID) -> SLATicketState {
        var events: [SLATimeline.Event] = [.status(at: createdAt, to: "new")]
        events += publicReplies.map { .publicReply(at: $0.at, byStaff: $0.byStaff) }
        if status != "new" { events.append(.status(at: updatedAt, to: status)) }
        var s = SLATicketState(ticketID: id, workspaceID: workspaceID,
                               facts: SLATicketFacts(priority: priority, type: type, teamID: teamID, organizationID: organizationID,
                                                     tags: tags, channel: channel, customFields: customFields),
                               timeline: SLATimeline(createdAt: createdAt, events: events), status: status)
        s.subject = subject
        s.requesterID = requesterID
        s.assigneeID = assigneeID
        s.assignedAt = assigneeID == nil ? nil : createdAt
        s.touchedAt = updatedAt
        return s
    }
}

extension AutomationServiceModule {
    /// Writes seeded tickets' states in one transaction (no SLA targets: seeded tickets predate the policies).
    public func seed(workspaceID: UUID, tickets: [SeededTicket]) async throws {
        let store = SLATicketStore()
        let now = Date()
        try await ticketSLAs.database.transaction { db in
            for ticket in tickets { try await store.save(ticket.state(workspaceID: workspaceID), targets: nil, at: now, on: db) }
        }
    }
}
