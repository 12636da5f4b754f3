import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension UserStore {
    static let organizationColumns = "id, workspace_id, name, domains, shared_tickets, created_at, updated_at"

    func insert(_ org: Organization, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO organizations (id, workspace_id, name, name_normalized, domains, shared_tickets, created_at, updated_at)
            VALUES (\(bind: org.id.lowercased), \(bind: org.workspaceID.lowercased), \(bind: org.name),
                    \(bind: org.name.lowercased()), \(bind: Self.json(org.domains)), \(bind: org.sharedTickets),
                    \(bind: org.createdAt.epochMilliseconds), \(bind: org.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ org: Organization, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE organizations SET name = \(bind: org.name), name_normalized = \(bind: org.name.lowercased()),
                domains = \(bind: Self.json(org.domains)), shared_tickets = \(bind: org.sharedTickets),
                updated_at = \(bind: org.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: org.workspaceID.lowercased) AND id = \(bind: org.id.lowercased)
            """).run()
    }

    func deleteOrganization(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM organizations WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
    }

    func organization(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> Organization? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.organizationColumns) FROM organizations
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeOrganization)
    }

    func organizationNamed(workspaceID: UUID, name: String, on db: any SQLDatabase) async throws -> Organization? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.organizationColumns) FROM organizations
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND name_normalized = \(bind: name.lowercased())
            """).first().map(Self.decodeOrganization)
    }

    func organizations(workspaceID: UUID, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [Organization] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.organizationColumns) FROM organizations
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id > \(bind: after?.lowercased ?? "")
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map(Self.decodeOrganization)
    }

    static func decodeOrganization(_ row: any SQLRow) throws -> Organization {
        let domains = try row.decode(column: "domains", as: String.self)
        return Organization(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            name: try row.decode(column: "name", as: String.self),
            domains: (try? JSONDecoder().decode([String].self, from: Data(domains.utf8))) ?? [],
            sharedTickets: try row.decode(column: "shared_tickets", as: Bool.self),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func json(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
