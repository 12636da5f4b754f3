import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension Tickets {
    /// Applies `changes`. `ifMatch` (the ETag a client read) must still be current, else 412 `version_conflict`.
    public func update(_ p: Principal, reference: String, _ changes: TicketChanges, ifMatch: String?) async throws -> Ticket {
        let current = try await visibleTicket(p, reference: reference)
        if p.role == .customer && !changes.isCustomerAllowed {
            throw HelpdeskError.forbidden("Customers may only mark their tickets solved.")
        }
        var errors: [FieldError] = []
        let subject = changes.subject.flatMap { TicketValidation.subject($0, errors: &errors) }
        let status = changes.status.flatMap { TicketValidation.status($0, errors: &errors) }
        let priority = changes.priority.flatMap { TicketValidation.priority($0, errors: &errors) }
        var parsedType: TicketType?? = nil
        if case .set(let raw) = changes.type { parsedType = .some(raw.flatMap { TicketValidation.type($0, errors: &errors) }) }
        let type = parsedType
        let tags = changes.tags.flatMap { TicketValidation.tags($0, errors: &errors) }
        try await checkAssignment(p.workspaceID, assigneeID: changes.assigneeID.value ?? nil,
                                  teamID: changes.teamID.value ?? nil, errors: &errors)
        if let followers = changes.followerIDs {
            if followers.count > 100 { errors.append(.init(field: "follower_ids", message: "must hold at most 100 users")) }
            for (i, id) in followers.enumerated() {
                let user = try await directory.user(workspaceID: p.workspaceID, id: id)
                if user == nil || user?.active == false || user?.role.isStaff == false {
                    errors.append(.init(field: "follower_ids[\(i)]", message: "must be an active agent of this workspace"))
                }
            }
        }
        let definitions = try await store.fields(workspaceID: p.workspaceID, on: database.sql)
        // Checked now for a quick 422; merged again below onto the row read under lock.
        _ = fields.merge(changes.customFields ?? [:], into: current.customFields, fields: definitions, role: p.role,
                         errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let fields = self.fields
        let expected = try ifMatch.map(Self.version(fromETag:))

        let now = clock.now
        let store = self.store
        let history = TicketHistory(principal: p, at: now)
        return try await database.transaction { db in
            guard var ticket = try await store.ticket(workspaceID: p.workspaceID, reference: current.id.lowercased,
                                                      forUpdate: true, on: db) else { throw HelpdeskError.notFound("ticket") }
            if let expected, expected != ticket.version { throw HelpdeskError.versionConflict() }
            let before = ticket
            if let subject { ticket.subject = subject }
            if let priority { ticket.priority = priority }
            if let type { ticket.type = type }
            if case .set(let assignee) = changes.assigneeID { ticket.assigneeID = assignee }
            if case .set(let team) = changes.teamID { ticket.teamID = team }
            if let tags { ticket.tags = tags }
            if let followers = changes.followerIDs {
                ticket.followerIDs = followers.reduce(into: [UUID]()) { if !$0.contains($1) { $0.append($1) } }
            }
            if let values = changes.customFields {
                var ignored: [FieldError] = []
                ticket.customFields = fields.merge(values, into: ticket.customFields, fields: definitions, role: p.role,
                                                   errors: &ignored)
            }
            if let status, status != ticket.status {
                try Self.checkTransition(from: ticket.status, to: status)
                ticket.status = status
            } else if status == nil, ticket.status == .new, ticket.assigneeID != nil {
                ticket.status = .open   // assigning a new ticket opens it
            }
            if before.status == .closed && ticket != before { throw Self.closed() }
            if ticket.status == .solved && before.status != .solved {
                let missing = fields.missingForSolve(ticket.customFields, fields: definitions)
                if !missing.isEmpty { throw HelpdeskError.validation(missing) }
                ticket.solvedAt = now
            }
            if ticket.status != .solved && ticket.status != .closed { ticket.solvedAt = nil }
            let events = history.updated(from: before, to: ticket)
            if events.isEmpty { return self.presented(before, to: p, fields: definitions) }
            ticket.version += 1
            ticket.updatedAt = now
            try await store.update(ticket, previousTags: before.tags, on: db)
            if ticket.subject != before.subject { try await store.reindex(ticketID: ticket.id, on: db) }
            try await store.record(events, ticketID: ticket.id, on: db)
            return self.presented(ticket, to: p, fields: definitions)
        }
    }

    /// Soft-deletes a ticket (admins): gone from lists, kept in history.
    public func delete(_ p: Principal, reference: String) async throws {
        try p.require(.admin)
        let ticket = try await visibleTicket(p, reference: reference)
        let now = clock.now
        let store = self.store
        let history = TicketHistory(principal: p, at: now)
        try await database.transaction { db in
            try await store.softDelete(workspaceID: p.workspaceID, id: ticket.id, at: now, on: db)
            try await store.reindex(ticketID: ticket.id, on: db)
            try await store.record(history.event("ticket.deleted", ticket, ["number": .number(Double(ticket.number))]),
                                   ticketID: ticket.id, isPublic: false, on: db)
        }
    }

    static func checkTransition(from: TicketStatus, to: TicketStatus) throws {
        if from == .closed { throw closed() }
        guard from.successors.contains(to) else {
            throw HelpdeskError(status: 422, code: "invalid_status_transition", title: "Invalid status change",
                                detail: "A ticket cannot go from \(from.rawValue) to \(to.rawValue).",
                                errors: [FieldError(field: "status", message: "cannot change from \(from.rawValue) to \(to.rawValue)")])
        }
    }

    static func closed() -> HelpdeskError {
        .conflict(code: "ticket_closed", "The ticket is closed; closed tickets cannot change. Open a follow-up ticket instead.")
    }

    /// `"3"` or `W/"3"` → 3; anything else is a 412, as no version matches it.
    static func version(fromETag raw: String) throws -> Int {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text) else { throw HelpdeskError.versionConflict() }
        return version
    }
}
