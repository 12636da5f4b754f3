import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Every SQL statement of the notifications service.
struct NotificationStore: Sendable {
    let kind: DatabaseKind

    // MARK: Inbox and deliveries

    /// Inserts unless this event already notified this user of this kind (redelivered events are no-ops).
    func insert(_ n: InboxNotification, workspaceID: UUID, eventID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO notifications (id, workspace_id, user_id, event_id, kind, ticket_id, title, body, created_at)
            VALUES (\(bind: n.id.lowercased), \(bind: workspaceID.lowercased), \(bind: n.userID.lowercased),
                    \(bind: eventID.lowercased), \(bind: n.kind.rawValue), \(bind: n.ticketID?.lowercased), \(bind: n.title),
                    \(bind: n.body), \(bind: n.createdAt.epochMilliseconds))
            ON CONFLICT DO NOTHING
            """).run()
    }

    /// One statement for an event's deliveries (in-app and email rows of every recipient). A redelivered event's
    /// rows exist already and are skipped.
    func insert(_ deliveries: [Delivery], on db: any SQLDatabase) async throws {
        try await BulkInsert.run(
            into: "notification_deliveries",
            columns: ["id", "workspace_id", "user_id", "event_id", "kind", "channel", "recipient", "status", "attempts",
                      "next_attempt_at", "last_error", "subject", "message", "created_at", "updated_at", "sent_at"],
            rows: deliveries.map { d -> [any Encodable & Sendable] in
                [d.id.lowercased, d.workspaceID.lowercased, d.userID.lowercased, d.eventID.lowercased, d.kind.rawValue,
                 d.channel.rawValue, d.recipient, d.status.rawValue, d.attempts, d.nextAttemptAt?.epochMilliseconds,
                 d.lastError, d.subject, d.message, d.createdAt.epochMilliseconds, d.updatedAt.epochMilliseconds,
                 d.sentAt?.epochMilliseconds]
            }, suffix: "ON CONFLICT DO NOTHING", on: db)
    }

    func inbox(workspaceID: UUID, userID: UUID, unreadOnly: Bool, before: UUID?, limit: Int,
               on db: any SQLDatabase) async throws -> [InboxNotification] {
        var sql = SQLQueryString("""
            SELECT * FROM notifications WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
            """)
        if unreadOnly { sql.appendInterpolation(unsafeRaw: " AND read_at IS NULL") }
        if let before { sql.appendInterpolation(unsafeRaw: " AND id < "); sql.appendInterpolation(bind: before.lowercased) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
        return try await db.raw(sql).all().map(Self.decodeNotification)
    }

    /// Unread notifications of the user, counted up to `unreadCountLimit`: the count is taken after every new
    /// notification, and someone who never reads them would otherwise make each count longer.
    func unreadCount(workspaceID: UUID, userID: UUID, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM notifications
                WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
                  AND read_at IS NULL LIMIT \(unsafeRaw: String(Self.unreadCountLimit))) AS unread
            """).first()!.decode(column: "n", as: Int.self)
    }

    /// Where unread counts stop (documented in docs/api.md).
    static let unreadCountLimit = 1000

    func notification(workspaceID: UUID, userID: UUID, id: UUID, on db: any SQLDatabase) async throws -> InboxNotification? {
        try await db.raw("""
            SELECT * FROM notifications WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND user_id = \(bind: userID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeNotification)
    }

    /// Marks one (or, without `id`, every) unread notification read; returns how many changed.
    func markRead(workspaceID: UUID, userID: UUID, id: UUID?, at now: Date, on db: any SQLDatabase) async throws -> Int {
        var sql = SQLQueryString("""
            UPDATE notifications SET read_at = \(bind: now.epochMilliseconds)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased) AND read_at IS NULL
            """)
        if let id { sql.appendInterpolation(unsafeRaw: " AND id = "); sql.appendInterpolation(bind: id.lowercased) }
        sql.appendInterpolation(unsafeRaw: " RETURNING id")
        return try await db.raw(sql).all().count
    }

    func deliveries(workspaceID: UUID, filter: DeliveryFilter, before: UUID?, limit: Int,
                    on db: any SQLDatabase) async throws -> [Delivery] {
        var sql = SQLQueryString("SELECT * FROM notification_deliveries WHERE workspace_id = \(bind: workspaceID.lowercased)")
        if let v = filter.status { sql.appendInterpolation(unsafeRaw: " AND status = "); sql.appendInterpolation(bind: v.rawValue) }
        if let v = filter.channel { sql.appendInterpolation(unsafeRaw: " AND channel = "); sql.appendInterpolation(bind: v.rawValue) }
        if let v = filter.userID { sql.appendInterpolation(unsafeRaw: " AND user_id = "); sql.appendInterpolation(bind: v.lowercased) }
        if let v = filter.kind { sql.appendInterpolation(unsafeRaw: " AND kind = "); sql.appendInterpolation(bind: v.rawValue) }
        if let before { sql.appendInterpolation(unsafeRaw: " AND id < "); sql.appendInterpolation(bind: before.lowercased) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
        return try await db.raw(sql).all().map(Self.decodeDelivery)
    }

    /// Claims up to `limit` deliveries due now by pushing their next attempt `lease` ahead, so another worker
    /// (another replica) does not send them too; returns the claimed rows, oldest first. One statement: it was a
    /// transaction of a read and an update per row. The outer conditions are checked again on each row as it is
    /// updated, and on PostgreSQL rows another worker is claiming are skipped rather than waited for.
    func claimDue(now: Date, lease: Date, limit: Int, workspaceID: UUID?, on db: any SQLDatabase) async throws -> [Delivery] {
        var sql = SQLQueryString("""
            UPDATE notification_deliveries SET next_attempt_at = \(bind: lease.epochMilliseconds)
            WHERE status IN ('queued', 'retrying') AND next_attempt_at <= \(bind: now.epochMilliseconds)
              AND id IN (SELECT id FROM notification_deliveries
                         WHERE status IN ('queued', 'retrying') AND next_attempt_at <= \(bind: now.epochMilliseconds)
            """)
        if let workspaceID { sql.appendInterpolation(unsafeRaw: " AND workspace_id = "); sql.appendInterpolation(bind: workspaceID.lowercased) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY next_attempt_at, id LIMIT \(limit)\(kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""))")
        sql.appendInterpolation(unsafeRaw: " RETURNING *")
        return try await db.raw(sql).all().map(Self.decodeDelivery).sorted { $0.id.lowercased < $1.id.lowercased }
    }

    func update(_ d: Delivery, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE notification_deliveries SET status = \(bind: d.status.rawValue), attempts = \(bind: d.attempts),
                next_attempt_at = \(bind: d.nextAttemptAt?.epochMilliseconds), last_error = \(bind: d.lastError),
                updated_at = \(bind: d.updatedAt.epochMilliseconds), sent_at = \(bind: d.sentAt?.epochMilliseconds)
            WHERE id = \(bind: d.id.lowercased)
            """).run()
    }

    func deliveryCounts(on db: any SQLDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.raw("SELECT status, COUNT(*) AS n FROM notification_deliveries GROUP BY status").all() {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    // MARK: Templates

    func templates(workspaceID: UUID, on db: any SQLDatabase) async throws -> [NotificationTemplate] {
        try await db.raw("""
            SELECT kind, locale, subject, text_body, html_body FROM notification_templates
            WHERE workspace_id = \(bind: workspaceID.lowercased)
            """).all().compactMap { row in
                guard let kind = NotificationKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
                return NotificationTemplate(kind: kind, locale: try row.decode(column: "locale", as: String.self),
                                            subject: try row.decode(column: "subject", as: String.self),
                                            text: try row.decode(column: "text_body", as: String.self),
                                            html: try row.decode(column: "html_body", as: String.self), customized: true)
            }
    }

    func saveTemplate(_ t: NotificationTemplate, workspaceID: UUID, by userID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO notification_templates (workspace_id, kind, locale, subject, text_body, html_body, updated_at, updated_by)
            VALUES (\(bind: workspaceID.lowercased), \(bind: t.kind.rawValue), \(bind: t.locale), \(bind: t.subject),
                    \(bind: t.text), \(bind: t.html), \(bind: now.epochMilliseconds), \(bind: userID.lowercased))
            ON CONFLICT (workspace_id, kind, locale) DO UPDATE SET subject = excluded.subject,
              text_body = excluded.text_body, html_body = excluded.html_body, updated_at = excluded.updated_at,
              updated_by = excluded.updated_by
            """).run()
    }

    func deleteTemplate(workspaceID: UUID, kind: NotificationKind, locale: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM notification_templates WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND kind = \(bind: kind.rawValue) AND locale = \(bind: locale)
            """).run()
    }

    // MARK: Preferences ("" as user id: the workspace default)

    func preferences(workspaceID: UUID, userIDs: [String], on db: any SQLDatabase) async throws -> [(user: String, kind: String, channel: String, enabled: Bool)] {
        guard !userIDs.isEmpty else { return [] }
        var list = SQLQueryString("")
        for (i, id) in userIDs.enumerated() {
            if i > 0 { list.appendInterpolation(unsafeRaw: ", ") }
            list.appendInterpolation(bind: id)
        }
        return try await db.raw("""
            SELECT user_id, kind, channel, enabled FROM notification_preferences
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id IN (\(list))
            """).all().map { row in
                (try row.decode(column: "user_id", as: String.self), try row.decode(column: "kind", as: String.self),
                 try row.decode(column: "channel", as: String.self), try row.decode(column: "enabled", as: Bool.self))
            }
    }

    func setPreference(workspaceID: UUID, userID: String, kind: NotificationKind, channel: NotificationChannel,
                       enabled: Bool, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO notification_preferences (workspace_id, user_id, kind, channel, enabled)
            VALUES (\(bind: workspaceID.lowercased), \(bind: userID), \(bind: kind.rawValue), \(bind: channel.rawValue), \(bind: enabled))
            ON CONFLICT (workspace_id, user_id, kind, channel) DO UPDATE SET enabled = excluded.enabled
            """).run()
    }

    func locale(workspaceID: UUID, userID: UUID, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("""
            SELECT locale FROM notification_settings WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND user_id = \(bind: userID.lowercased)
            """).first()?.decode(column: "locale", as: String?.self)
    }

    func setLocale(workspaceID: UUID, userID: UUID, locale: String?, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO notification_settings (workspace_id, user_id, locale)
            VALUES (\(bind: workspaceID.lowercased), \(bind: userID.lowercased), \(bind: locale))
            ON CONFLICT (workspace_id, user_id) DO UPDATE SET locale = excluded.locale
            """).run()
    }

    // MARK: Decoding

    static func decodeNotification(_ row: any SQLRow) throws -> InboxNotification {
        InboxNotification(id: try row.uuid("id"), userID: try row.uuid("user_id"),
                          kind: NotificationKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .ticketUpdated,
                          ticketID: try row.optionalUUID("ticket_id"), title: try row.decode(column: "title", as: String.self),
                          body: try row.decode(column: "body", as: String.self), createdAt: try row.date("created_at"),
                          readAt: try row.decode(column: "read_at", as: Int64?.self).map { Date(epochMilliseconds: $0) })
    }

    static func decodeDelivery(_ row: any SQLRow) throws -> Delivery {
        func optionalDate(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map { Date(epochMilliseconds: $0) }
        }
        return Delivery(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"), userID: try row.uuid("user_id"),
            eventID: try row.uuid("event_id"),
            kind: NotificationKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .ticketUpdated,
            channel: NotificationChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
            recipient: try row.decode(column: "recipient", as: String.self),
            status: DeliveryStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self), nextAttemptAt: try optionalDate("next_attempt_at"),
            lastError: try row.decode(column: "last_error", as: String?.self),
            subject: try row.decode(column: "subject", as: String.self), message: try row.decode(column: "message", as: String?.self),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), sentAt: try optionalDate("sent_at"))
    }
}
