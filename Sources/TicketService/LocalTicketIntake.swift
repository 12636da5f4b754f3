import Foundation
import HelpdeskCore
import Platform

/// `TicketIntake` as a direct call into this process's tickets service (for the channels service).
struct LocalTicketIntake: TicketIntake {
    let tickets: Tickets

    func openTicket(as p: Principal, subject: String, description: String, teamID: UUID?,
                    attachmentIDs: [UUID], origin: MessageOrigin) async throws -> (ticketID: UUID, commentID: UUID) {
        // The mailbox's team routes the ticket, whoever wrote in.
        let created = try await tickets.create(p, NewTicket(subject: subject, description: description),
                                               attachmentIDs: attachmentIDs, routedTeamID: teamID, origin: origin)
        guard case .created(let ticket) = created else { throw HelpdeskError.internalError() }
        let first = try await tickets.store.comments(workspaceID: p.workspaceID, ticketIDs: [ticket.id], includeInternal: true,
                                                     after: nil, limit: 1, on: tickets.database.sql)
        return (ticket.id, first.first?.id ?? ticket.id)
    }

    func reply(as p: Principal, ticketID: UUID, body: String, attachmentIDs: [UUID], origin: MessageOrigin) async throws -> UUID {
        guard case .created(let comment) = try await tickets.addComment(p, reference: ticketID.lowercased, body: body,
                                                                        isPublic: true, attachmentIDs: attachmentIDs,
                                                                        origin: origin)
        else { throw HelpdeskError.internalError() }
        return comment.id
    }

    func follow(as p: Principal, ticketID: UUID) async throws {
        let ticket = try await tickets.get(p, reference: ticketID.lowercased)
        guard !ticket.followerIDs.contains(p.userID) else { return }
        var changes = TicketChanges()
        changes.followerIDs = ticket.followerIDs + [p.userID]
        _ = try await tickets.update(p, reference: ticketID.lowercased, changes, ifMatch: nil)
    }

    func ticket(workspaceID: UUID, number: Int) async throws -> TicketSnapshot? {
        guard let t = try await tickets.store.ticket(workspaceID: workspaceID, reference: String(number),
                                                     on: tickets.database.sql) else { return nil }
        return t.snapshot
    }
}

extension TicketServiceModule {
    /// The in-process `TicketIntake` the channels service uses.
    public var intake: any TicketIntake { LocalTicketIntake(tickets: tickets) }
}
