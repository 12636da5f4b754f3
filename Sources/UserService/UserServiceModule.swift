import Foundation
import HelpdeskCore
import Platform

/// The users service: users, organizations and teams.
public struct UserServiceModule: ServiceModule {
    public let name = "users"
    public let accounts: UserAccounts
    public let organizations: Organizations
    public let teams: Teams

    public init(database: Database, credentials: any CredentialRegistry, clock: TimeSource = .system) {
        accounts = UserAccounts(database: database, credentials: credentials, clock: clock)
        organizations = Organizations(database: database, clock: clock)
        teams = Teams(database: database, clock: clock)
    }

    public var migrations: ServiceMigrations { UserMigrations.all }

    public func addRoutes(to routes: Routes) {
        UserRoutes(accounts: accounts).add(to: routes.group("api/v1/users"))
        OrganizationRoutes(organizations: organizations, accounts: accounts).add(to: routes.group("api/v1/organizations"))
        TeamRoutes(teams: teams).add(to: routes.group("api/v1/teams"))
    }

    /// The in-process `UserDirectory` the auth service uses.
    public var directory: any UserDirectory { LocalUserDirectory(accounts: accounts) }
}

/// `UserDirectory` as a direct call into this process's users service.
struct LocalUserDirectory: UserDirectory {
    let accounts: UserAccounts

    func user(workspaceID: UUID, email: String) async throws -> DirectoryUser? {
        try await accounts.store.user(workspaceID: workspaceID, email: email, on: accounts.database.sql)?.directoryEntry
    }

    func user(workspaceID: UUID, id: UUID) async throws -> DirectoryUser? {
        try await accounts.store.user(workspaceID: workspaceID, id: id, on: accounts.database.sql)?.directoryEntry
    }

    func registerCustomer(workspaceID: UUID, email: String, name: String) async throws -> DirectoryUser {
        try await accounts.registerCustomer(workspaceID: workspaceID, email: email, name: name).directoryEntry
    }

    func hasAdmin(workspaceID: UUID) async throws -> Bool {
        try await accounts.hasAdmin(workspaceID: workspaceID)
    }

    func createFirstAdmin(workspaceID: UUID, email: String, name: String, password: String) async throws -> DirectoryUser {
        try await accounts.createFirstAdmin(workspaceID: workspaceID, email: email, name: name, password: password)
            .directoryEntry
    }

    func discardRegistration(workspaceID: UUID, id: UUID) async throws {
        try await accounts.discard(workspaceID: workspaceID, id: id)
    }

    func organization(workspaceID: UUID, id: UUID) async throws -> DirectoryOrganization? {
        try await accounts.store.organization(workspaceID: workspaceID, id: id, on: accounts.database.sql)
            .map { DirectoryOrganization(id: $0.id, name: $0.name, sharedTickets: $0.sharedTickets) }
    }

    func teamExists(workspaceID: UUID, id: UUID) async throws -> Bool {
        try await accounts.store.team(workspaceID: workspaceID, id: id, on: accounts.database.sql) != nil
    }

    func teamMemberIDs(workspaceID: UUID, teamID: UUID) async throws -> [UUID] {
        try await accounts.store.team(workspaceID: workspaceID, id: teamID, on: accounts.database.sql)?.memberIDs ?? []
    }
}
