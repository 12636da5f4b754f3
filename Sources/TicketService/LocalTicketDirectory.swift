import Foundation
import HelpdeskCore
import Platform

/// `TicketDirectory` as a direct call into this process's tickets service (for notifications).
struct LocalTicketDirectory: TicketDirectory {
    let tickets: Tickets

    func ticket(workspaceID: UUID, id: UUID) async throws -> TicketSnapshot? {
        guard let t = try await tickets.store.anyTicket(workspaceID: workspaceID, id: id, on: tickets.database.sql) else {
            return nil
        }
        return TicketSnapshot(id: t.id, workspaceID: t.workspaceID, number: t.number, subject: t.subject,
                              status: t.status.rawValue, priority: t.priority.rawValue, requesterID: t.requesterID,
                              assigneeID: t.assigneeID, teamID: t.teamID, followerIDs: t.followerIDs, createdAt: t.createdAt)
    }

    func comment(workspaceID: UUID, id: UUID) async throws -> CommentSnapshot? {
        try await tickets.store.comment(workspaceID: workspaceID, id: id, on: tickets.database.sql)
    }
}

extension TicketServiceModule {
    /// The in-process `TicketDirectory` the notifications service uses.
    public var directory: any TicketDirectory { LocalTicketDirectory(tickets: tickets) }
}
