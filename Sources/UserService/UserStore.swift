import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// All SQL of the users service. Every statement is scoped by workspace; callers pass the connection or
/// transaction to run on, so a change and its outbox event commit together.
struct UserStore: Sendable {
    static let userColumns = "id, workspace_id, email, name, role, organization_id, locale, time_zone, active, created_at, updated_at"

    // MARK: - Users

    func insert(_ user: User, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO users (id, workspace_id, email, email_normalized, name, role, organization_id, locale,
                               time_zone, active, created_at, updated_at)
            VALUES (\(bind: user.id.lowercased), \(bind: user.workspaceID.lowercased), \(bind: user.email),
                    \(bind: EmailAddress.normalize(user.email)), \(bind: user.name), \(bind: user.role.rawValue),
                    \(bind: user.organizationID?.lowercased), \(bind: user.locale), \(bind: user.timeZone),
                    \(bind: user.active), \(bind: user.createdAt.epochMilliseconds), \(bind: user.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ user: User, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE users SET email = \(bind: user.email), email_normalized = \(bind: EmailAddress.normalize(user.email)),
                name = \(bind: user.name), role = \(bind: user.role.rawValue),
                organization_id = \(bind: user.organizationID?.lowercased), locale = \(bind: user.locale),
                time_zone = \(bind: user.timeZone), active = \(bind: user.active),
                updated_at = \(bind: user.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: user.workspaceID.lowercased) AND id = \(bind: user.id.lowercased)
            """).run()
    }

    func delete(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM users WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
        try await db.raw("""
            DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: id.lowercased)
            """).run()
    }

    func user(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> User? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns) FROM users
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeUser)
    }

    func user(workspaceID: UUID, email: String, on db: any SQLDatabase) async throws -> User? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns) FROM users
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND email_normalized = \(bind: EmailAddress.normalize(email))
            """).first().map(Self.decodeUser)
    }

    /// Users in id order (creation order, ids being UUIDv7) after `after`, filtered.
    func users(workspaceID: UUID, filter: UserFilter, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [User] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE workspace_id = \(bind: workspaceID.lowercased)")
        if let role = filter.role { query.appendInterpolation(unsafeRaw: " AND role = "); query.appendInterpolation(bind: role.rawValue) }
        if let org = filter.organizationID {
            query.appendInterpolation(unsafeRaw: " AND organization_id = ")
            query.appendInterpolation(bind: org.lowercased)
        }
        if let text = filter.query {
            let pattern = "%" + Self.escapeLike(text.lowercased()) + "%"
            query.appendInterpolation(unsafeRaw: " AND (LOWER(name) LIKE ")
            query.appendInterpolation(bind: pattern)
            query.appendInterpolation(unsafeRaw: " ESCAPE '\\' OR email_normalized LIKE ")
            query.appendInterpolation(bind: pattern)
            query.appendInterpolation(unsafeRaw: " ESCAPE '\\')")
        }
        if let after {
            query.appendInterpolation(unsafeRaw: " AND id > ")
            query.appendInterpolation(bind: after.lowercased)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY id LIMIT \(limit)")
        return try await db.raw(query).all().map(Self.decodeUser)
    }

    func activeAdminCount(workspaceID: UUID, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM users
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND role = 'admin' AND active = \(bind: true)
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func adminCount(workspaceID: UUID, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM users WHERE workspace_id = \(bind: workspaceID.lowercased) AND role = 'admin'
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func clearOrganization(workspaceID: UUID, organizationID: UUID, at date: Date, on db: any SQLDatabase) async throws -> [UUID] {
        let rows = try await db.raw("""
            SELECT id FROM users
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND organization_id = \(bind: organizationID.lowercased)
            """).all()
        try await db.raw("""
            UPDATE users SET organization_id = NULL, updated_at = \(bind: date.epochMilliseconds)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND organization_id = \(bind: organizationID.lowercased)
            """).run()
        return try rows.map { try UUID(uuidString: $0.decode(column: "id", as: String.self))! }
    }

    static func decodeUser(_ row: any SQLRow) throws -> User {
        User(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            email: try row.decode(column: "email", as: String.self), name: try row.decode(column: "name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .customer,
            organizationID: try row.decode(column: "organization_id", as: String?.self).flatMap(UUID.init(uuidString:)),
            locale: try row.decode(column: "locale", as: String.self),
            timeZone: try row.decode(column: "time_zone", as: String.self),
            active: try row.decode(column: "active", as: Bool.self),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }


    /// Escapes `%`, `_` and `\` so user text matches literally inside LIKE.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

/// The filters of `GET /users`.
struct UserFilter: Sendable {
    var role: Role?
    var organizationID: UUID?
    var query: String?
}

extension UserStore {
    /// Seeding: many users and organizations at once (rows in column order); existing emails are skipped.
    func insertSeeded(users: [[any Encodable & Sendable]], organizations: [[any Encodable & Sendable]],
                      on db: any SQLDatabase) async throws {
        try await BulkInsert.run(into: "organizations",
                                 columns: ["id", "workspace_id", "name", "name_normalized", "domains", "shared_tickets",
                                           "created_at", "updated_at"],
                                 rows: organizations, suffix: "ON CONFLICT DO NOTHING", on: db)
        try await BulkInsert.run(into: "users",
                                 columns: ["id", "workspace_id", "email", "email_normalized", "name", "role",
                                           "organization_id", "locale", "time_zone", "active", "created_at", "updated_at"],
                                 rows: users, suffix: "ON CONFLICT DO NOTHING", on: db)
    }

    /// The seeded users (emails at bench.example) of a workspace: id, role, organization.
    func seededUsers(workspaceID: UUID, on db: any SQLDatabase) async throws -> [(UUID, Role, UUID?)] {
        try await db.raw("""
            SELECT id, role, organization_id FROM users
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND email_normalized LIKE '%@bench.example'
            ORDER BY id
            """).all().compactMap { row in
            guard let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
            return (try row.uuid("id"), role, try row.optionalUUID("organization_id"))
        }
    }

    /// The ids of the organizations with these normalized names, in the order of `names` (missing ones skipped).
    func organizationIDs(workspaceID: UUID, names: [String], on db: any SQLDatabase) async throws -> [UUID] {
        var byName: [String: UUID] = [:]
        for row in try await db.raw("""
            SELECT id, name_normalized FROM organizations WHERE workspace_id = \(bind: workspaceID.lowercased)
            """).all() {
            byName[try row.decode(column: "name_normalized", as: String.self)] = try row.uuid("id")
        }
        return names.compactMap { byName[$0] }
    }
}
