import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The seeder's writes: many tickets, tags and comments per statement, and their search documents built in SQL.
extension TicketStore {
    /// Reserves `count` ticket numbers at once; returns the first.
    func reserveNumbers(workspaceID: UUID, count: Int, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            INSERT INTO ticket_counters (workspace_id, last_number) VALUES (\(bind: workspaceID.lowercased), 0)
            ON CONFLICT (workspace_id) DO NOTHING
            """).run()
        guard let row = try await db.raw("""
            UPDATE ticket_counters SET last_number = last_number + \(bind: count)
            WHERE workspace_id = \(bind: workspaceID.lowercased) RETURNING last_number
            """).first() else { throw HelpdeskError.internalError() }
        return Int(try row.decode(column: "last_number", as: Int64.self)) - count + 1
    }

    func insertSeeded(tickets: [Ticket], comments: [Comment], workspaceID: UUID, on db: any SQLDatabase) async throws {
        let ws = workspaceID.lowercased
        try await BulkInsert.run(
            into: "tickets",
            columns: ["id", "workspace_id", "number", "subject", "status", "status_rank", "priority", "priority_rank",
                      "type", "requester_id", "assignee_id", "team_id", "organization_id", "tags", "followers",
                      "created_at", "updated_at", "solved_at", "version", "custom_fields", "channel"],
            rows: tickets.map { t in
                [t.id.lowercased, ws, t.number, t.subject, t.status.rawValue, t.status.rank, t.priority.rawValue,
                 t.priority.rank, t.type?.rawValue, t.requesterID.lowercased, t.assigneeID?.lowercased,
                 t.teamID?.lowercased, t.organizationID?.lowercased, Self.json(t.tags), "[]",
                 t.createdAt.epochMilliseconds, t.updatedAt.epochMilliseconds, t.solvedAt?.epochMilliseconds, t.version,
                 "{}", t.channel]
            }, on: db)
        try await BulkInsert.run(
            into: "ticket_tags", columns: ["ticket_id", "workspace_id", "tag"],
            rows: tickets.flatMap { t in t.tags.map { [t.id.lowercased, ws, $0] as [any Encodable & Sendable] } }, on: db)
        try await BulkInsert.run(
            into: "comments",
            columns: ["id", "workspace_id", "ticket_id", "author_id", "body", "is_public", "created_at", "attachments",
                      "channel"],
            rows: comments.map { c in
                [c.id.lowercased, ws, c.ticketID.lowercased, c.authorID.lowercased, c.body, c.isPublic,
                 c.createdAt.epochMilliseconds, "[]", c.channel]
            }, on: db)
        guard let first = tickets.map(\.number).min(), let last = tickets.map(\.number).max() else { return }
        // The same documents `reindex` writes, for the whole batch in two statements.
        switch kind {
        case .sqlite:
            for (offset, scope, onlyPublic) in [(0, SearchScope.publicText, true), (1, .all, false)] {
                try await db.raw("""
                    INSERT INTO ticket_search (rowid, body, ticket_id, workspace_id, scope)
                    SELECT t.rowid * 2 + \(unsafeRaw: String(offset)), t.subject || char(10) || COALESCE(
                           (SELECT group_concat(c.body, char(10)) FROM comments c
                            WHERE c.workspace_id = t.workspace_id AND c.ticket_id = t.id
                            \(unsafeRaw: onlyPublic ? "AND c.is_public = 1" : "")), ''),
                           t.id, t.workspace_id, \(bind: scope.rawValue)
                    FROM tickets t WHERE t.workspace_id = \(bind: ws) AND t.number BETWEEN \(bind: first) AND \(bind: last)
                    """).run()
            }
        case .postgres:
            try await db.raw("""
                INSERT INTO ticket_search (ticket_id, workspace_id, scope, body)
                SELECT t.id, t.workspace_id, s.scope, t.subject || chr(10) || COALESCE((SELECT string_agg(c.body, chr(10) ORDER BY c.id)
                       FROM comments c WHERE c.workspace_id = t.workspace_id AND c.ticket_id = t.id
                       AND (c.is_public OR s.scope = 'all')), '')
                FROM tickets t CROSS JOIN (VALUES ('public'), ('all')) AS s(scope)
                WHERE t.workspace_id = \(bind: ws) AND t.number BETWEEN \(bind: first) AND \(bind: last)
                """).run()
        }
    }
}
