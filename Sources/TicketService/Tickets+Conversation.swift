import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension Tickets {
    /// Adds a public reply or an internal note. Customers reply publicly only; their reply reopens a pending or
    /// solved ticket; a staff reply opens a new one. Closed tickets take no replies.
    public func addComment(_ p: Principal, reference: String, body rawBody: String, isPublic: Bool,
                           attachmentIDs: [UUID] = [], idempotency: IdempotencyKey? = nil,
                           origin: MessageOrigin? = nil) async throws -> Created<Comment> {
        let current = try await visibleTicket(p, reference: reference)
        var errors: [FieldError] = []
        let body = TicketValidation.body(rawBody, field: "body", errors: &errors)
        if p.role == .customer && !isPublic { errors.append(.init(field: "public", message: "customers cannot add internal notes")) }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }

        let now = clock.now
        let store = self.store
        let history = TicketHistory(principal: p, at: now)
        let scope = "comments.create:\(current.id.lowercased)"
        if let idempotency, let earlier = try await store.idempotentResponse(
            workspaceID: p.workspaceID, userID: p.userID, scope: scope, key: idempotency.key, on: database.sql) {
            // A retry: answer before trying to attach the (already attached) files again.
            guard earlier.hash == idempotency.requestHash else { throw Self.keyReused() }
            return .replayed(status: earlier.status, body: earlier.body)
        }
        if current.status == .closed { throw Self.closed() }
        var draft = Comment(id: UUIDv7.make(at: now), ticketID: current.id, authorID: p.userID, body: body!,
                            isPublic: isPublic, createdAt: now)
        draft.stamp(origin)
        draft.attachments = try await attach(attachmentIDs, p, ticketID: current.id, commentID: draft.id, isPublic: isPublic)
        let comment = draft
        do {
            return try await withAttachments(p, commentID: comment.id, attached: !comment.attachments.isEmpty) {
            try await database.transaction { db in
                if let idempotency, let earlier = try await store.idempotentResponse(
                    workspaceID: p.workspaceID, userID: p.userID, scope: scope, key: idempotency.key, on: db) {
                    guard earlier.hash == idempotency.requestHash else { throw Self.keyReused() }
                    return .replayed(status: earlier.status, body: earlier.body)
                }
                guard var ticket = try await store.ticket(workspaceID: p.workspaceID, reference: current.id.lowercased,
                                                          forUpdate: true, on: db) else { throw HelpdeskError.notFound("ticket") }
                if ticket.status == .closed { throw Self.closed() }
                let before = ticket
                if p.role == .customer, ticket.status == .pending || ticket.status == .solved {
                    ticket.status = .open
                    ticket.solvedAt = nil
                } else if p.role.isStaff, isPublic, ticket.status == .new {
                    ticket.status = .open
                }
                ticket.version += 1
                ticket.updatedAt = now
                try await store.update(ticket, previousTags: before.tags, on: db)
                try await store.insert(comment, workspaceID: p.workspaceID, on: db)
                try await store.indexComment(comment, on: db)
                let changes = TicketHistory.changes(from: before, to: ticket)
                try await store.record([history.commentAdded(ticket, comment, changes: changes)]
                                       + history.updated(from: before, to: ticket, commentID: comment.id),
                                       ticketID: ticket.id, on: db)
                if let idempotency {
                    let json = String(decoding: try EventJSON.encoder().encode(comment), as: UTF8.self)
                    try await store.rememberResponse(workspaceID: p.workspaceID, userID: p.userID, scope: scope,
                                                     key: idempotency.key, hash: idempotency.requestHash, status: 201,
                                                     body: json, at: now, on: db)
                }
                return .created(comment)
            }
            }
        } catch where Database.isUniqueViolation(error) && idempotency != nil {
            guard let earlier = try await store.idempotentResponse(workspaceID: p.workspaceID, userID: p.userID,
                                                                   scope: scope, key: idempotency!.key, on: database.sql)
            else { throw error }
            guard earlier.hash == idempotency!.requestHash else { throw Self.keyReused() }
            return .replayed(status: earlier.status, body: earlier.body)
        }
    }

    /// The conversation, oldest first; customers never receive internal notes.
    public func comments(_ p: Principal, reference: String, page: PageRequest) async throws -> Page<Comment> {
        let ticket = try await visibleTicket(p, reference: reference)
        // Merged tickets' comments show in the target, for those who may see the merged ticket.
        var ids = [ticket.id]
        for source in try await store.mergedSources(workspaceID: p.workspaceID, into: ticket.id, on: database.sql)
        where try await canSee(p, source) {
            ids.append(source.id)
        }
        let rows = try await store.comments(workspaceID: p.workspaceID, ticketIDs: ids, includeInternal: p.role.isStaff,
                                            after: try page.afterID(), limit: page.limit + 1,
                                            on: database.sql)
        return Page(rows: rows, limit: page.limit) { $0.id.lowercased }
    }

    /// The ticket's history, oldest first; customers get public events with public fields only.
    public func events(_ p: Principal, reference: String, page: PageRequest) async throws -> Page<TicketEvent> {
        let ticket = try await visibleTicket(p, reference: reference)
        let afterSeq = try page.after.map { raw -> Int64 in
            guard let seq = Int64(raw) else { throw HelpdeskError.badParameter("cursor", "is not valid") }
            return seq
        }
        let rows = try await store.events(workspaceID: p.workspaceID, ticketID: ticket.id, includeInternal: p.role.isStaff,
                                          afterSeq: afterSeq, limit: page.limit + 1, on: database.sql)
        var items = rows.prefix(page.limit).map(\.event)
        if p.role == .customer {
            items = items.map { e in
                TicketEvent(id: e.id, type: e.type, actor: e.actor, subject: e.subject, occurredAt: e.occurredAt,
                            data: TicketHistory.customerView(e.data), isPublic: e.isPublic)
            }
        }
        let next = rows.count > page.limit ? rows[page.limit - 1].seq : nil
        return Page(items: items, nextCursor: next.map { Cursor.encode(String($0)) })
    }
}

extension Tickets: TicketAccess {
    /// For the files service: an attachment is readable by whoever may see its comment.
    public func canSeeComment(_ principal: Principal, ticketID: UUID, isPublic: Bool) async throws -> Bool {
        guard isPublic || principal.role.isStaff else { return false }
        do {
            _ = try await visibleTicket(principal, reference: ticketID.lowercased)
            return true
        } catch let error as HelpdeskError where error.code == "not_found" {
            return false
        }
    }
}
