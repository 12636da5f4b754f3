import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension TicketStore {
    static let fieldColumns = """
        id, workspace_id, field_key, title, kind, options, pattern, required_on_solve, customer_editable, active, \
        created_at, updated_at
        """

    func insert(_ f: TicketField, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO ticket_fields (id, workspace_id, field_key, title, kind, options, pattern, required_on_solve,
                                       customer_editable, active, created_at, updated_at)
            VALUES (\(bind: f.id.lowercased), \(bind: f.workspaceID.lowercased), \(bind: f.key), \(bind: f.title),
                    \(bind: f.kind.rawValue), \(bind: Self.json(f.options)), \(bind: f.pattern), \(bind: f.requiredOnSolve),
                    \(bind: f.customerEditable), \(bind: f.active), \(bind: f.createdAt.epochMilliseconds),
                    \(bind: f.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ f: TicketField, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE ticket_fields SET title = \(bind: f.title), options = \(bind: Self.json(f.options)),
                pattern = \(bind: f.pattern), required_on_solve = \(bind: f.requiredOnSolve),
                customer_editable = \(bind: f.customerEditable), active = \(bind: f.active),
                updated_at = \(bind: f.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: f.workspaceID.lowercased) AND id = \(bind: f.id.lowercased)
            """).run()
    }

    func field(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> TicketField? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.fieldColumns) FROM ticket_fields
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeField)
    }

    /// Every field of the workspace, active or not, in creation order.
    func fields(workspaceID: UUID, on db: any SQLDatabase) async throws -> [TicketField] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.fieldColumns) FROM ticket_fields
            WHERE workspace_id = \(bind: workspaceID.lowercased) ORDER BY id
            """).all().map(Self.decodeField)
    }

    static func decodeField(_ row: any SQLRow) throws -> TicketField {
        let options = try row.decode(column: "options", as: String.self)
        return TicketField(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            key: try row.decode(column: "field_key", as: String.self), title: try row.decode(column: "title", as: String.self),
            kind: TicketField.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .text,
            options: (try? JSONDecoder().decode([TicketField.Option].self, from: Data(options.utf8))) ?? [],
            pattern: try row.decode(column: "pattern", as: String?.self),
            requiredOnSolve: try row.decode(column: "required_on_solve", as: Bool.self),
            customerEditable: try row.decode(column: "customer_editable", as: Bool.self),
            active: try row.decode(column: "active", as: Bool.self),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func json(_ options: [TicketField.Option]) -> String {
        String(decoding: (try? JSONEncoder().encode(options)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
