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
        return t.snapshot
    }

    func comment(workspaceID: UUID, id: UUID) async throws -> CommentSnapshot? {
        try await tickets.store.comment(workspaceID: workspaceID, id: id, on: tickets.database.sql)
    }
}

extension TicketServiceModule {
    /// The in-process `TicketDirectory` the notifications service uses.
    public var directory: any TicketDirectory { LocalTicketDirectory(tickets: tickets) }
}

extension Ticket {
    /// The ticket as other services see it (`TicketDirectory`, `TicketIntake`).
    var snapshot: TicketSnapshot {
        TicketSnapshot(id: id, workspaceID: workspaceID, number: number, subject: subject, status: status.rawValue,
                       priority: priority.rawValue, requesterID: requesterID, assigneeID: assigneeID, teamID: teamID,
                       followerIDs: followerIDs, createdAt: createdAt)
    }
}
