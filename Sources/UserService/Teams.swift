import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Teams of agents: admins manage them and their members; agents and admins read them.
public struct Teams: Sendable {
    let database: Database
    let clock: TimeSource
    let store = UserStore()

    public init(database: Database, clock: TimeSource = .system) {
        self.database = database
        self.clock = clock
    }

    public func create(_ principal: Principal, name: String, description: String) async throws -> Team {
        try principal.require(.admin)
        var errors: [FieldError] = []
        let name = UserValidation.name(name, errors: &errors)
        let description = UserValidation.description(description, errors: &errors)
        try UserValidation.check(errors)
        let now = clock.now
        let team = Team(id: UUIDv7.make(at: now), workspaceID: principal.workspaceID, name: name!,
                        description: description!, memberIDs: [], createdAt: now, updatedAt: now)
        let store = self.store
        try await write {
            try await database.transaction { db in
                if try await store.teamNamed(workspaceID: team.workspaceID, name: team.name, on: db) != nil {
                    throw Self.nameTaken()
                }
                try await store.insert(team, on: db)
                try await Outbox.append(Self.event("team.created", team, principal, [
                    "name": .string(team.name), "description": .string(team.description),
                ]), on: db)
            }
        }
        return team
    }

    public func get(_ principal: Principal, id: UUID) async throws -> Team {
        guard principal.role.isStaff else { throw HelpdeskError.forbidden("Customers cannot read teams.") }
        guard let team = try await store.team(workspaceID: principal.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("team")
        }
        return team
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<Team> {
        guard principal.role.isStaff else { throw HelpdeskError.forbidden("Customers cannot read teams.") }
        let after = try page.afterID()
        let teams = try await store.teams(workspaceID: principal.workspaceID, after: after, limit: page.limit + 1,
                                          on: database.sql)
        return Page(rows: teams, limit: page.limit) { $0.id.lowercased }
    }

    public func update(_ principal: Principal, id: UUID, name: String?, description: String?) async throws -> Team {
        try principal.require(.admin)
        var errors: [FieldError] = []
        let name = name.flatMap { UserValidation.name($0, errors: &errors) }
        let description = description.flatMap { UserValidation.description($0, errors: &errors) }
        try UserValidation.check(errors)
        let store = self.store
        let now = clock.now
        return try await write {
            try await database.transaction { db in
                guard var team = try await store.team(workspaceID: principal.workspaceID, id: id, on: db) else {
                    throw HelpdeskError.notFound("team")
                }
                var diff: [String: JSONValue] = [:]
                if let name, name != team.name {
                    if let other = try await store.teamNamed(workspaceID: team.workspaceID, name: name, on: db),
                       other.id != id { throw Self.nameTaken() }
                    diff["name"] = ["from": .string(team.name), "to": .string(name)]
                    team.name = name
                }
                if let description, description != team.description {
                    diff["description"] = ["from": .string(team.description), "to": .string(description)]
                    team.description = description
                }
                if diff.isEmpty { return team }
                team.updatedAt = now
                try await store.update(team, on: db)
                try await Outbox.append(Self.event("team.updated", team, principal, ["changes": .object(diff)]), on: db)
                return team
            }
        }
    }

    public func delete(_ principal: Principal, id: UUID) async throws {
        try principal.require(.admin)
        let store = self.store
        let now = clock.now
        try await database.transaction { db in
            guard var team = try await store.team(workspaceID: principal.workspaceID, id: id, on: db) else {
                throw HelpdeskError.notFound("team")
            }
            try await store.deleteTeam(workspaceID: team.workspaceID, id: id, on: db)
            team.updatedAt = now
            try await Outbox.append(Self.event("team.deleted", team, principal, ["name": .string(team.name)]), on: db)
        }
    }

    /// Puts an agent or admin in a team; idempotent. Customers cannot be members.
    public func addMember(_ principal: Principal, teamID: UUID, userID: UUID) async throws -> Team {
        try principal.require(.admin)
        let store = self.store
        let now = clock.now
        return try await database.transaction { db in
            guard var team = try await store.team(workspaceID: principal.workspaceID, id: teamID, on: db) else {
                throw HelpdeskError.notFound("team")
            }
            guard let user = try await store.user(workspaceID: principal.workspaceID, id: userID, on: db) else {
                throw HelpdeskError.notFound("user")
            }
            guard user.role.isStaff else {
                throw HelpdeskError.validation(field: "user_id", "must be an agent or admin; customers cannot join teams")
            }
            guard user.active else { throw HelpdeskError.validation(field: "user_id", "is deactivated") }
            if try await store.addMember(workspaceID: team.workspaceID, teamID: teamID, userID: userID, at: now, on: db) {
                team.memberIDs.append(userID)
                team.updatedAt = now
                try await Outbox.append(Self.event("team.member_added", team, principal,
                                                   ["user_id": .string(userID.lowercased)]), on: db)
            }
            return team
        }
    }

    /// Takes a user out of a team; 404 when they were not in it.
    public func removeMember(_ principal: Principal, teamID: UUID, userID: UUID) async throws {
        try principal.require(.admin)
        let store = self.store
        let now = clock.now
        try await database.transaction { db in
            guard var team = try await store.team(workspaceID: principal.workspaceID, id: teamID, on: db) else {
                throw HelpdeskError.notFound("team")
            }
            guard try await store.removeMember(workspaceID: team.workspaceID, teamID: teamID, userID: userID, on: db) else {
                throw HelpdeskError.notFound("team member")
            }
            team.updatedAt = now
            try await Outbox.append(Self.event("team.member_removed", team, principal,
                                               ["user_id": .string(userID.lowercased)]), on: db)
        }
    }

    private func write<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch where Database.isUniqueViolation(error) { throw Self.nameTaken() }
    }

    static func nameTaken() -> HelpdeskError {
        .conflict(code: "name_taken", "A team with this name already exists.", field: "name")
    }

    static func event(_ type: String, _ team: Team, _ principal: Principal, _ data: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: team.workspaceID, actor: principal.actor,
                      subject: EventSubject(type: "team", id: team.id), occurredAt: team.updatedAt, data: .object(data))
    }
}
