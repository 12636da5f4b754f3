import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension UserStore {
    static let teamColumns = "id, workspace_id, name, description, created_at, updated_at"

    func insert(_ team: Team, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO teams (id, workspace_id, name, name_normalized, description, created_at, updated_at)
            VALUES (\(bind: team.id.lowercased), \(bind: team.workspaceID.lowercased), \(bind: team.name),
                    \(bind: team.name.lowercased()), \(bind: team.description),
                    \(bind: team.createdAt.epochMilliseconds), \(bind: team.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ team: Team, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE teams SET name = \(bind: team.name), name_normalized = \(bind: team.name.lowercased()),
                description = \(bind: team.description), updated_at = \(bind: team.updatedAt.epochMilliseconds)
            WHERE workspace_id = \(bind: team.workspaceID.lowercased) AND id = \(bind: team.id.lowercased)
            """).run()
    }

    func deleteTeam(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased) AND team_id = \(bind: id.lowercased)
            """).run()
        try await db.raw("""
            DELETE FROM teams WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
    }

    func team(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> Team? {
        guard var team = try await db.raw("""
            SELECT \(unsafeRaw: Self.teamColumns) FROM teams
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeTeam) else { return nil }
        team.memberIDs = try await members(workspaceID: workspaceID, teamIDs: [id], on: db)[id] ?? []
        return team
    }

    func teamNamed(workspaceID: UUID, name: String, on db: any SQLDatabase) async throws -> Team? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.teamColumns) FROM teams
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND name_normalized = \(bind: name.lowercased())
            """).first().map(Self.decodeTeam)
    }

    func teams(workspaceID: UUID, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [Team] {
        var teams = try await db.raw("""
            SELECT \(unsafeRaw: Self.teamColumns) FROM teams
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id > \(bind: after?.lowercased ?? "")
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map(Self.decodeTeam)
        let members = try await members(workspaceID: workspaceID, teamIDs: teams.map(\.id), on: db)
        for i in teams.indices { teams[i].memberIDs = members[teams[i].id] ?? [] }
        return teams
    }

    /// Adds a member; returns false when the user already was one.
    func addMember(workspaceID: UUID, teamID: UUID, userID: UUID, at date: Date, on db: any SQLDatabase) async throws -> Bool {
        let existing = try await db.raw("""
            SELECT user_id FROM team_members WHERE team_id = \(bind: teamID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).first()
        if existing != nil { return false }
        try await db.raw("""
            INSERT INTO team_members (team_id, user_id, workspace_id, added_at)
            VALUES (\(bind: teamID.lowercased), \(bind: userID.lowercased), \(bind: workspaceID.lowercased),
                    \(bind: date.epochMilliseconds))
            """).run()
        return true
    }

    /// Removes a member; returns false when the user was not one.
    func removeMember(workspaceID: UUID, teamID: UUID, userID: UUID, on db: any SQLDatabase) async throws -> Bool {
        let existing = try await db.raw("""
            SELECT user_id FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased)
                AND team_id = \(bind: teamID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).first()
        if existing == nil { return false }
        try await db.raw("""
            DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased)
                AND team_id = \(bind: teamID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).run()
        return true
    }

    /// Removes a user from every team (when demoted to customer); returns the teams left.
    func removeFromAllTeams(workspaceID: UUID, userID: UUID, on db: any SQLDatabase) async throws -> [UUID] {
        let rows = try await db.raw("""
            SELECT team_id FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).all()
        try await db.raw("""
            DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).run()
        return try rows.map { try $0.uuid("team_id") }
    }

    func members(workspaceID: UUID, teamIDs: [UUID], on db: any SQLDatabase) async throws -> [UUID: [UUID]] {
        guard !teamIDs.isEmpty else { return [:] }
        let rows = try await db.select().columns("team_id", "user_id").from("team_members")
            .where("workspace_id", .equal, workspaceID.lowercased)
            .where("team_id", .in, teamIDs.map(\.lowercased))
            .orderBy("added_at").orderBy("user_id")
            .all()
        var out: [UUID: [UUID]] = [:]
        for row in rows { out[try row.uuid("team_id"), default: []].append(try row.uuid("user_id")) }
        return out
    }

    static func decodeTeam(_ row: any SQLRow) throws -> Team {
        Team(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String.self), memberIDs: [],
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
