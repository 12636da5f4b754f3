import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The outcome for one ticket of a bulk update.
public struct BulkResult: Sendable, Encodable {
    let id: String
    let status: Int
    let ticket: Ticket?
    let error: BulkError?

    struct BulkError: Sendable, Encodable {
        let code: String
        let detail: String?
        let errors: [FieldError]
    }
}

extension Tickets {
    /// Merges a ticket into another: the source closes and points at the target, the target's conversation
    /// shows the source's comments, the source's followers follow the target too (up to its 100), and both
    /// histories say so. Requesters stay: the target keeps its own.
    public func merge(_ p: Principal, reference: String, into targetReference: String) async throws -> Ticket {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Only agents merge tickets.") }
        let source = try await visibleTicket(p, reference: reference)
        guard let target = try await store.ticket(workspaceID: p.workspaceID, reference: targetReference, on: database.sql) else {
            throw HelpdeskError.validation(field: "into_ticket_id", "does not exist")
        }
        if source.id == target.id { throw HelpdeskError.validation(field: "into_ticket_id", "cannot be the ticket itself") }
        if source.status == .closed { throw Self.closed() }
        if target.status == .closed { throw HelpdeskError.validation(field: "into_ticket_id", "is closed") }

        let now = clock.now
        let store = self.store
        let history = TicketHistory(principal: p, at: now)
        let definitions = try await store.fields(workspaceID: p.workspaceID, on: database.sql)
        return try await database.transaction { db in
            // Lock in id order so two opposite merges cannot deadlock.
            var locked: [UUID: Ticket] = [:]
            for id in [source.id, target.id].sorted(by: { $0.lowercased < $1.lowercased }) {
                guard let t = try await store.ticket(workspaceID: p.workspaceID, reference: id.lowercased, forUpdate: true,
                                                     on: db) else { throw HelpdeskError.notFound("ticket") }
                locked[id] = t
            }
            var from = locked[source.id]!
            var into = locked[target.id]!
            if from.status == .closed { throw Self.closed() }
            let fromBefore = from
            let intoBefore = into
            var followers = into.followerIDs
            for id in from.followerIDs where !followers.contains(id) && followers.count < 100 { followers.append(id) }
            into.followerIDs = followers
            from.status = .closed
            from.solvedAt = from.solvedAt ?? now
            from.version += 1
            from.updatedAt = now
            into.version += 1
            into.updatedAt = now
            try await store.update(from, on: db)
            try await store.markMerged(ticketID: from.id, into: into.id, on: db)
            try await store.update(into, on: db)
            // Public only when both belong to the same requester: otherwise one customer would read of another's ticket.
            let sameRequester = from.requesterID == into.requesterID
            let notes = [
                (from, "Merged into ticket #\(into.number).", true),
                (into, "Ticket #\(from.number) (\(from.subject)) was merged into this ticket.", sameRequester),
            ]
            for (ticket, text, isPublic) in notes {
                let comment = Comment(id: UUIDv7.make(at: now), ticketID: ticket.id, authorID: p.userID, body: text,
                                      isPublic: isPublic, createdAt: now)
                try await store.insert(comment, workspaceID: p.workspaceID, on: db)
                let (added, addedPublic) = history.commentAdded(ticket, comment, automatic: true)
                try await store.record(added, ticketID: ticket.id, isPublic: addedPublic, on: db)
            }
            try await store.record(history.event("ticket.merged", from, [
                "into_ticket_id": .string(into.id.lowercased), "into_number": .number(Double(into.number)),
            ]), ticketID: from.id, isPublic: true, on: db)
            for (event, isPublic) in history.updated(from: fromBefore, to: from) {
                try await store.record(event, ticketID: from.id, isPublic: isPublic, on: db)
            }
            for (event, isPublic) in history.updated(from: intoBefore, to: into) {
                try await store.record(event, ticketID: into.id, isPublic: isPublic, on: db)
            }
            try await store.record(history.event("ticket.merged", into, [
                "merged_ticket_id": .string(from.id.lowercased), "merged_number": .number(Double(from.number)),
            ]), ticketID: into.id, isPublic: sameRequester, on: db)
            try await store.reindex(ticketID: from.id, on: db)
            try await store.reindex(ticketID: into.id, on: db)
            return self.presented(into, to: p, fields: definitions)
        }
    }

    /// Applies the same changes to up to 100 tickets, each in its own transaction; one failure does not stop
    /// the others.
    public func bulkUpdate(_ p: Principal, references: [String], _ changes: TicketChanges) async throws -> [BulkResult] {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Only agents update tickets in bulk.") }
        guard (1...100).contains(references.count) else { throw HelpdeskError.validation(field: "ids", "must hold 1 to 100 ids") }
        guard Set(references).count == references.count else { throw HelpdeskError.validation(field: "ids", "must not repeat") }
        var results: [BulkResult] = []
        for reference in references {
            do {
                let ticket = try await update(p, reference: reference, changes, ifMatch: nil)
                results.append(BulkResult(id: reference, status: 200, ticket: ticket, error: nil))
            } catch let error as HelpdeskError {
                results.append(BulkResult(id: reference, status: error.status, ticket: nil,
                                          error: .init(code: error.code, detail: error.detail, errors: error.errors)))
            }
        }
        return results
    }
}
