import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Every SQL statement of the channels service.
struct ChannelStore: Sendable {
    let kind: DatabaseKind

    struct StoredIMAP: Codable {
        var host: String
        var port: Int
        var security: String
        var username: String
        var password: String
        var folder: String
        var pollSeconds: Int
        var processedFolder: String?
        var verifyCertificate: Bool?
    }

    func insert(_ m: Mailbox, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO mailboxes (id, workspace_id, address, name, team_id, allow_new_senders, trusted_authserv_id, imap,
                                   created_at, updated_at)
            VALUES (\(bind: m.id.lowercased), \(bind: m.workspaceID.lowercased), \(bind: m.address), \(bind: m.name),
                    \(bind: m.teamID?.lowercased), \(bind: m.allowNewSenders), \(bind: m.trustedAuthservID),
                    \(bind: try Self.imapJSON(m.imap)),
                    \(bind: m.createdAt.epochMilliseconds), \(bind: m.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ m: Mailbox, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE mailboxes SET address = \(bind: m.address), name = \(bind: m.name), team_id = \(bind: m.teamID?.lowercased),
              allow_new_senders = \(bind: m.allowNewSenders), trusted_authserv_id = \(bind: m.trustedAuthservID),
              imap = \(bind: try Self.imapJSON(m.imap)),
              updated_at = \(bind: m.updatedAt.epochMilliseconds)
            WHERE id = \(bind: m.id.lowercased) AND workspace_id = \(bind: m.workspaceID.lowercased)
            """).run()
    }

    func delete(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM mailboxes WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func mailbox(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> Mailbox? {
        try await db.raw("""
            SELECT * FROM mailboxes WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).first().map(Self.decode)
    }

    func mailbox(workspaceID: UUID, address: String, on db: any SQLDatabase) async throws -> Mailbox? {
        try await db.raw("""
            SELECT * FROM mailboxes WHERE address = \(bind: address) AND workspace_id = \(bind: workspaceID.lowercased)
            """).first().map(Self.decode)
    }

    func mailboxes(workspaceID: UUID, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [Mailbox] {
        try await db.raw("""
            SELECT * FROM mailboxes WHERE workspace_id = \(bind: workspaceID.lowercased) AND id > \(bind: after?.lowercased ?? "")
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map(Self.decode)
    }

    /// Every mailbox that is fetched over IMAP, in every workspace (for the poller).
    func polledMailboxes(workspaceID: UUID?, on db: any SQLDatabase) async throws -> [Mailbox] {
        var sql = SQLQueryString("SELECT * FROM mailboxes WHERE imap IS NOT NULL")
        if let workspaceID { sql.appendInterpolation(unsafeRaw: " AND workspace_id = "); sql.appendInterpolation(bind: workspaceID.lowercased) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY id")
        return try await db.raw(sql).all().map(Self.decode)
    }

    /// The mailbox a ticket came in through (its first inbound message), if any.
    func mailbox(workspaceID: UUID, ticketID: UUID, on db: any SQLDatabase) async throws -> Mailbox? {
        try await db.raw("""
            SELECT m.* FROM inbound_messages i JOIN mailboxes m ON m.id = i.mailbox_id
            WHERE i.workspace_id = \(bind: workspaceID.lowercased) AND i.ticket_id = \(bind: ticketID.lowercased)
            ORDER BY i.received_at LIMIT 1
            """).first().map(Self.decode)
    }

    // MARK: Inbound messages

    struct Inbound {
        var id: UUID
        var status: String
        var action: String?
        var reason: String?
        var ticketID: UUID?
        var commentID: UUID?
        var attempts: Int
        var raw: String?
    }

    func inbound(mailboxID: UUID, dedupeKey: String, on db: any SQLDatabase) async throws -> Inbound? {
        try await db.raw("""
            SELECT id, status, action, reason, ticket_id, comment_id, attempts, raw FROM inbound_messages
            WHERE mailbox_id = \(bind: mailboxID.lowercased) AND dedupe_key = \(bind: dedupeKey)
            """).first().map(Self.decodeInbound)
    }

    func inbound(workspaceID: UUID, mailboxID: UUID, id: UUID, on db: any SQLDatabase) async throws -> (Inbound, String)? {
        guard let row = try await db.raw("""
            SELECT id, status, action, reason, ticket_id, comment_id, attempts, raw, dedupe_key FROM inbound_messages
            WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
              AND mailbox_id = \(bind: mailboxID.lowercased)
            """).first() else { return nil }
        return (try Self.decodeInbound(row), try row.decode(column: "dedupe_key", as: String.self))
    }

    /// Claims `dedupeKey` for this worker: a new row in `processing`, or a failed (or long-abandoned) one taken
    /// back. False when another worker holds it or it was handled already.
    func claim(workspaceID: UUID, mailboxID: UUID, dedupeKey: String, at now: Date, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await db.raw("""
            INSERT INTO inbound_messages (id, workspace_id, mailbox_id, dedupe_key, status, attempts, received_at)
            VALUES (\(bind: UUIDv7.make().lowercased), \(bind: workspaceID.lowercased), \(bind: mailboxID.lowercased),
                    \(bind: dedupeKey), 'processing', 0, \(bind: now.epochMilliseconds))
            ON CONFLICT (mailbox_id, dedupe_key) DO NOTHING RETURNING id
            """).first()
        if inserted != nil { return true }
        let stale = now.addingTimeInterval(-600).epochMilliseconds
        return try await db.raw("""
            UPDATE inbound_messages SET status = 'processing', received_at = \(bind: now.epochMilliseconds)
            WHERE mailbox_id = \(bind: mailboxID.lowercased) AND dedupe_key = \(bind: dedupeKey)
              AND (status = 'failed' OR (status = 'processing' AND received_at < \(bind: stale)))
            RETURNING id
            """).first() != nil
    }

    /// Records the outcome for `dedupeKey`, replacing an earlier failed attempt.
    func record(workspaceID: UUID, mailboxID: UUID, dedupeKey: String, messageID: String?, from: String?, subject: String?,
                status: String, result: IngestResult?, quoted: String?, error: String?, raw: String?, at now: Date,
                on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO inbound_messages (id, workspace_id, mailbox_id, dedupe_key, message_id, from_address, subject, status,
                action, reason, ticket_id, comment_id, quoted, error, raw, attempts, received_at, processed_at)
            VALUES (\(bind: UUIDv7.make().lowercased), \(bind: workspaceID.lowercased), \(bind: mailboxID.lowercased),
                    \(bind: dedupeKey), \(bind: messageID), \(bind: from), \(bind: subject), \(bind: status),
                    \(bind: result?.action.rawValue), \(bind: result?.reason), \(bind: result?.ticketID?.lowercased),
                    \(bind: result?.commentID?.lowercased), \(bind: quoted), \(bind: error), \(bind: raw), 1,
                    \(bind: now.epochMilliseconds), \(bind: status == "failed" ? nil : now.epochMilliseconds))
            ON CONFLICT (mailbox_id, dedupe_key) DO UPDATE SET status = excluded.status, action = excluded.action,
              message_id = excluded.message_id, from_address = excluded.from_address, subject = excluded.subject,
              reason = excluded.reason, ticket_id = excluded.ticket_id, comment_id = excluded.comment_id,
              quoted = excluded.quoted, error = excluded.error,
              raw = CASE WHEN excluded.status = 'failed' THEN excluded.raw ELSE NULL END,
              attempts = inbound_messages.attempts + 1, processed_at = excluded.processed_at
            """).run()
    }

    /// How many tickets this sender opened by email since `since`.
    func ticketsOpened(workspaceID: UUID, from: String, since: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM inbound_messages WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND from_address = \(bind: from) AND action = 'created' AND received_at >= \(bind: since.epochMilliseconds)
            """).first()!.decode(column: "n", as: Int.self)
    }

    func failed(workspaceID: UUID, mailboxID: UUID, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [FailedMessage] {
        try await db.raw("""
            SELECT id, mailbox_id, message_id, from_address, subject, error, received_at, attempts,
                   CASE WHEN raw IS NULL THEN 0 ELSE 1 END AS retryable FROM inbound_messages
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND mailbox_id = \(bind: mailboxID.lowercased)
              AND status = 'failed' AND id > \(bind: after?.lowercased ?? "")
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map { row in
                FailedMessage(id: try row.uuid("id"), mailboxID: try row.uuid("mailbox_id"),
                              messageID: try row.decode(column: "message_id", as: String?.self),
                              from: try row.decode(column: "from_address", as: String?.self),
                              subject: try row.decode(column: "subject", as: String?.self),
                              error: try row.decode(column: "error", as: String?.self) ?? "",
                              receivedAt: try row.date("received_at"), attempts: try row.decode(column: "attempts", as: Int.self),
                              retryable: try row.decode(column: "retryable", as: Int.self) == 1)
            }
    }

    // MARK: Decoding

    static func imapJSON(_ imap: IMAPSettings?) throws -> String? {
        guard let imap else { return nil }
        let stored = StoredIMAP(host: imap.host, port: imap.port, security: imap.security.rawValue, username: imap.username,
                                password: imap.sealedPassword, folder: imap.folder, pollSeconds: imap.pollSeconds,
                                processedFolder: imap.processedFolder, verifyCertificate: imap.verifyCertificate)
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    static func decode(_ row: any SQLRow) throws -> Mailbox {
        var imap: IMAPSettings?
        if let json = try row.decode(column: "imap", as: String?.self),
           let s = try? JSONDecoder().decode(StoredIMAP.self, from: Data(json.utf8)) {
            imap = IMAPSettings(host: s.host, port: s.port, security: IMAPSettings.Security(rawValue: s.security) ?? .tls,
                                username: s.username, sealedPassword: s.password, folder: s.folder, pollSeconds: s.pollSeconds,
                                processedFolder: s.processedFolder, verifyCertificate: s.verifyCertificate ?? true)
        }
        return Mailbox(id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
                       address: try row.decode(column: "address", as: String.self), name: try row.decode(column: "name", as: String.self),
                       teamID: try row.optionalUUID("team_id"),
                       allowNewSenders: try row.decode(column: "allow_new_senders", as: Bool.self),
                       trustedAuthservID: try row.decode(column: "trusted_authserv_id", as: String?.self), imap: imap,
                       createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    static func decodeInbound(_ row: any SQLRow) throws -> Inbound {
        Inbound(id: try row.uuid("id"), status: try row.decode(column: "status", as: String.self),
                action: try row.decode(column: "action", as: String?.self), reason: try row.decode(column: "reason", as: String?.self),
                ticketID: try row.optionalUUID("ticket_id"), commentID: try row.optionalUUID("comment_id"),
                attempts: try row.decode(column: "attempts", as: Int.self), raw: try row.decode(column: "raw", as: String?.self))
    }
}
