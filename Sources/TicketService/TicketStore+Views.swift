import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension TicketStore {
    static let viewColumns = "v.id, v.workspace_id, v.owner_id, v.title, v.filters, v.sort, v.columns, v.shared, v.team_id, v.created_at, v.updated_at"

    func insert(_ v: TicketView, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO ticket_views (id, workspace_id, owner_id, title, filters, sort, columns, shared, team_id,
                                      created_at, updated_at)
            VALUES (\(bind: v.id.lowercased), \(bind: v.workspaceID.lowercased), \(bind: v.ownerID.lowercased),
                    \(bind: v.title), \(bind: Self.json(v.filters)), \(bind: v.sort), \(bind: Self.json(v.columns)),
                    \(bind: v.shared), \(bind: v.teamID?.lowercased),
                    \(bind: v.createdAt.epochMilliseconds), \(bind: v.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ v: TicketView, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE ticket_views SET title = \(bind: v.title), filters = \(bind: Self.json(v.filters)), sort = \(bind: v.sort),
                columns = \(bind: Self.json(v.columns)), shared = \(bind: v.shared), team_id = \(bind: v.teamID?.lowercased),
                updated_at = \(bind: v.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: v.workspaceID.lowercased) AND id = \(bind: v.id.lowercased)
            """).run()
    }

    func deleteView(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM ticket_view_order WHERE workspace_id = \(bind: workspaceID.lowercased) AND view_id = \(bind: id.lowercased)
            """).run()
        try await db.raw("""
            DELETE FROM ticket_views WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
    }

    /// Replaces the user's order of views with `ids`, first to last.
    func setViewOrder(workspaceID: UUID, userID: UUID, ids: [UUID], on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM ticket_view_order WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).run()
        for (position, id) in ids.enumerated() {
            try await db.raw("""
                INSERT INTO ticket_view_order (workspace_id, user_id, view_id, position)
                VALUES (\(bind: workspaceID.lowercased), \(bind: userID.lowercased), \(bind: id.lowercased), \(bind: position))
                """).run()
        }
    }

    func view(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> TicketView? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.viewColumns) FROM ticket_views v
            WHERE v.workspace_id = \(bind: workspaceID.lowercased) AND v.id = \(bind: id.lowercased)
            """).first().map(Self.decodeView)
    }

    func views(workspaceID: UUID, visibleTo userID: UUID, on db: any SQLDatabase) async throws -> [TicketView] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.viewColumns) FROM ticket_views v
            LEFT JOIN ticket_view_order o ON o.workspace_id = v.workspace_id AND o.view_id = v.id
                AND o.user_id = \(bind: userID.lowercased)
            WHERE v.workspace_id = \(bind: workspaceID.lowercased) AND (v.shared = \(bind: true) OR v.owner_id = \(bind: userID.lowercased))
            ORDER BY CASE WHEN o.position IS NULL THEN 1 ELSE 0 END, o.position, v.id
            """).all().map(Self.decodeView)
    }

    /// Tags of live tickets with how many carry each, most used first; `prefix` narrows them.
    func tags(workspaceID: UUID, prefix: String?, offset: Int, limit: Int, on db: any SQLDatabase) async throws -> [(String, Int)] {
        var q = SQLQueryString("""
            SELECT tt.tag AS tag, COUNT(*) AS n FROM ticket_tags tt JOIN tickets t ON t.id = tt.ticket_id
            WHERE tt.workspace_id = \(bind: workspaceID.lowercased) AND t.deleted_at IS NULL
            """)
        if let prefix, !prefix.isEmpty {
            let escaped = prefix.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            q.appendInterpolation(unsafeRaw: " AND tt.tag LIKE ")
            q.appendInterpolation(bind: escaped + "%")
            q.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
        }
        q.appendInterpolation(unsafeRaw: " GROUP BY tt.tag ORDER BY n DESC, tt.tag LIMIT \(limit) OFFSET \(offset)")
        return try await db.raw(q).all().map { (try $0.decode(column: "tag", as: String.self), try $0.decode(column: "n", as: Int.self)) }
    }

    static func decodeView(_ row: any SQLRow) throws -> TicketView {
        let filters = try row.decode(column: "filters", as: String.self)
        return TicketView(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"), ownerID: try row.uuid("owner_id"),
            title: try row.decode(column: "title", as: String.self),
            filters: (try? JSONDecoder().decode([String: String].self, from: Data(filters.utf8))) ?? [:],
            sort: try row.decode(column: "sort", as: String?.self),
            columns: (try? JSONDecoder().decode([String].self, from: Data(try row.decode(column: "columns", as: String.self).utf8))) ?? [],
            shared: try row.decode(column: "shared", as: Bool.self),
            teamID: try row.decode(column: "team_id", as: String?.self).flatMap(UUID.init(uuidString:)),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
