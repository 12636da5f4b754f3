import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of a ticket's conversation and history: comments, its event stream (with the outbox), and the
/// responses kept for idempotent retries.
extension TicketStore {
    // MARK: - Comments

    func insert(_ c: Comment, workspaceID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO comments (id, workspace_id, ticket_id, author_id, body, is_public, created_at, attachments, channel,
                                  source_address, source_message_id, quoted_text, unverified_sender)
            VALUES (\(bind: c.id.lowercased), \(bind: workspaceID.lowercased), \(bind: c.ticketID.lowercased),
                    \(bind: c.authorID.lowercased), \(bind: c.body), \(bind: c.isPublic), \(bind: c.createdAt.epochMilliseconds),
                    \(bind: String(decoding: try EventJSON.encoder().encode(c.attachments), as: UTF8.self)), \(bind: c.channel),
                    \(bind: c.sourceAddress), \(bind: c.sourceMessageID), \(bind: c.quotedText),
                    \(bind: c.unverifiedSender))
            """).run()
    }

    func comments(workspaceID: UUID, ticketIDs: [UUID], includeInternal: Bool, after: UUID?, limit: Int,
                  on db: any SQLDatabase) async throws -> [Comment] {
        let visibility = includeInternal ? "" : " AND is_public = \(kind == .postgres ? "TRUE" : "1")"
        var ids = SQLQueryString("")
        for (i, id) in ticketIDs.enumerated() {
            if i > 0 { ids.appendInterpolation(unsafeRaw: ", ") }
            ids.appendInterpolation(bind: id.lowercased)
        }
        return try await db.raw("""
            SELECT id, ticket_id, author_id, body, is_public, created_at, attachments, channel, source_address,
                   source_message_id, quoted_text, unverified_sender FROM comments
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND ticket_id IN (\(ids))
              AND id > \(bind: after?.lowercased ?? "")\(unsafeRaw: visibility)
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map { row in
                Comment(id: try row.uuid("id"), ticketID: try row.uuid("ticket_id"),
                        authorID: try row.uuid("author_id"), body: try row.decode(column: "body", as: String.self),
                        isPublic: try row.decode(column: "is_public", as: Bool.self),
                        createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
                        attachments: (try? EventJSON.decoder().decode(
                            [AttachmentInfo].self, from: Data(try row.decode(column: "attachments", as: String.self).utf8))) ?? [],
                        channel: try row.decode(column: "channel", as: String.self),
                        sourceAddress: try row.decode(column: "source_address", as: String?.self),
                        sourceMessageID: try row.decode(column: "source_message_id", as: String?.self),
                        quotedText: try row.decode(column: "quoted_text", as: String?.self),
                        unverifiedSender: try row.decode(column: "unverified_sender", as: Bool.self))
            }
    }

    // MARK: - History

    /// Appends to the ticket's stream and to the outbox, in the caller's transaction.
    func record(_ event: EventEnvelope, ticketID: UUID, isPublic: Bool, on db: any SQLDatabase) async throws {
        try await record([(event, isPublic)], ticketID: ticketID, on: db)
    }

    /// Appends several events of one ticket, in order, with one statement per table.
    func record(_ events: [(EventEnvelope, Bool)], ticketID: UUID, on db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        let rows: [[any Encodable & Sendable]] = try events.map { event, isPublic in
            [event.id.lowercased, event.workspaceID.lowercased, ticketID.lowercased, event.type, isPublic,
             String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self), event.occurredAt.epochMilliseconds]
        }
        try await BulkInsert.run(into: "ticket_events",
                                 columns: ["id", "workspace_id", "ticket_id", "type", "is_public", "envelope", "occurred_at"],
                                 rows: rows, on: db)
        try await Outbox.append(events.map(\.0), on: db)
    }

    func events(workspaceID: UUID, ticketID: UUID, includeInternal: Bool, afterSeq: Int64?, limit: Int,
                on db: any SQLDatabase) async throws -> [(seq: Int64, event: TicketEvent)] {
        let visibility = includeInternal ? "" : " AND is_public = \(kind == .postgres ? "TRUE" : "1")"
        return try await db.raw("""
            SELECT seq, is_public, envelope FROM ticket_events
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND ticket_id = \(bind: ticketID.lowercased)
              AND seq > \(bind: afterSeq ?? 0)\(unsafeRaw: visibility)
            ORDER BY seq LIMIT \(unsafeRaw: String(limit))
            """).all().map { row in
                let envelope = try EventJSON.decoder().decode(
                    EventEnvelope.self, from: Data(try row.decode(column: "envelope", as: String.self).utf8))
                let event = TicketEvent(id: envelope.id, type: envelope.type, actor: envelope.actor,
                                        subject: envelope.subject, occurredAt: envelope.occurredAt, data: envelope.data,
                                        isPublic: try row.decode(column: "is_public", as: Bool.self))
                return (try row.decode(column: "seq", as: Int64.self), event)
            }
    }

    // MARK: - Idempotency

    func idempotentResponse(workspaceID: UUID, userID: UUID, scope: String, key: String,
                            on db: any SQLDatabase) async throws -> (hash: String, status: Int, body: String)? {
        guard let row = try await db.raw("""
            SELECT request_hash, status, body FROM idempotency_keys
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
              AND scope = \(bind: scope) AND idempotency_key = \(bind: key)
            """).first() else { return nil }
        return (try row.decode(column: "request_hash", as: String.self), try row.decode(column: "status", as: Int.self),
                try row.decode(column: "body", as: String.self))
    }

    func rememberResponse(workspaceID: UUID, userID: UUID, scope: String, key: String, hash: String, status: Int,
                          body: String, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO idempotency_keys (workspace_id, user_id, scope, idempotency_key, request_hash, status, body, created_at)
            VALUES (\(bind: workspaceID.lowercased), \(bind: userID.lowercased), \(bind: scope), \(bind: key), \(bind: hash),
                    \(bind: status), \(bind: body), \(bind: now.epochMilliseconds))
            """).run()
    }
}
