import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension TicketStore {
    static let viewColumns = "id, workspace_id, owner_id, title, filters, sort, shared, created_at, updated_at"

    func insert(_ v: TicketView, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO ticket_views (id, workspace_id, owner_id, title, filters, sort, shared, created_at, updated_at)
            VALUES (\(bind: v.id.lowercased), \(bind: v.workspaceID.lowercased), \(bind: v.ownerID.lowercased),
                    \(bind: v.title), \(bind: Self.json(v.filters)), \(bind: v.sort), \(bind: v.shared),
                    \(bind: v.createdAt.epochMilliseconds), \(bind: v.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ v: TicketView, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE ticket_views SET title = \(bind: v.title), filters = \(bind: Self.json(v.filters)), sort = \(bind: v.sort),
                shared = \(bind: v.shared), updated_at = \(bind: v.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: v.workspaceID.lowercased) AND id = \(bind: v.id.lowercased)
            """).run()
    }

    func deleteView(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM ticket_views WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
    }

    func view(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> TicketView? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.viewColumns) FROM ticket_views
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeView)
    }

    func views(workspaceID: UUID, visibleTo userID: UUID, on db: any SQLDatabase) async throws -> [TicketView] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.viewColumns) FROM ticket_views
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND (shared = \(bind: true) OR owner_id = \(bind: userID.lowercased))
            ORDER BY id
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
            sort: try row.decode(column: "sort", as: String?.self), shared: try row.decode(column: "shared", as: Bool.self),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
