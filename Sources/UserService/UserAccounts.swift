import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A user as an admin creates it; strings are raw client input, validated here.
public struct NewUser: Sendable {
    public var email: String
    public var name: String
    public var role: String
    public var organizationID: UUID?
    public var locale: String?
    public var timeZone: String?
    public var password: String?

    public init(email: String, name: String, role: String, organizationID: UUID? = nil, locale: String? = nil,
                timeZone: String? = nil, password: String? = nil) {
        self.email = email
        self.name = name
        self.role = role
        self.organizationID = organizationID
        self.locale = locale
        self.timeZone = timeZone
        self.password = password
    }
}

/// Changes to a user; `nil` (or `.absent`) leaves a field alone.
public struct UserChanges: Sendable {
    public var name: String?
    public var email: String?
    public var role: String?
    public var organizationID: FieldUpdate<UUID?> = .absent
    public var locale: String?
    public var timeZone: String?
    public var active: Bool?

    public init(name: String? = nil, email: String? = nil, role: String? = nil,
                organizationID: FieldUpdate<UUID?> = .absent, locale: String? = nil, timeZone: String? = nil,
                active: Bool? = nil) {
        self.name = name
        self.email = email
        self.role = role
        self.organizationID = organizationID
        self.locale = locale
        self.timeZone = timeZone
        self.active = active
    }

    /// Fields anyone may change on their own profile.
    var isSelfService: Bool { email == nil && role == nil && organizationID == .absent && active == nil }
}

/// The users of a workspace: who may see and change whom, and the events each change publishes.
public struct UserAccounts: Sendable {
    let database: Database
    let credentials: any CredentialRegistry
    let clock: TimeSource
    let store = UserStore()

    public init(database: Database, credentials: any CredentialRegistry, clock: TimeSource = .system) {
        self.database = database
        self.credentials = credentials
        self.clock = clock
    }

    // MARK: - Reading

    public func get(_ principal: Principal, id: UUID) async throws -> User {
        // A customer may not learn whether other users exist.
        if principal.role == .customer && id != principal.userID { throw HelpdeskError.notFound("user") }
        guard let user = try await store.user(workspaceID: principal.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("user")
        }
        return user
    }

    public func list(_ principal: Principal, role: String?, organizationID: UUID?, query: String?,
                     page: PageRequest) async throws -> Page<User> {
        guard principal.role.isStaff else { throw HelpdeskError.forbidden("Customers cannot list users.") }
        var filter = UserFilter(organizationID: organizationID)
        if let role {
            guard let parsed = Role(rawValue: role) else {
                throw HelpdeskError.badParameter("role", "must be one of customer, agent, admin")
            }
            filter.role = parsed
        }
        if let query, !query.trimmingCharacters(in: .whitespaces).isEmpty {
            guard query.textLength <= 200 else { throw HelpdeskError.badParameter("q", "must be at most 200 characters") }
            filter.query = query.trimmingCharacters(in: .whitespaces)
        }
        let after = try page.afterID()
        let users = try await store.users(workspaceID: principal.workspaceID, filter: filter, after: after,
                                          limit: page.limit + 1, on: database.sql)
        return Page(rows: users, limit: page.limit) { $0.id.lowercased }
    }

    /// Whether the workspace has any admin, active or not (decides whether to bootstrap one).
    public func hasAdmin(workspaceID: UUID) async throws -> Bool {
        try await store.adminCount(workspaceID: workspaceID, on: database.sql) > 0
    }

    // MARK: - Creating

    /// An admin creates a user of any role, optionally with a password.
    public func create(_ principal: Principal, _ input: NewUser) async throws -> User {
        try principal.require(.admin)
        return try await create(workspaceID: principal.workspaceID, input, actor: principal.actor)
    }

    /// Creates a workspace admin with a password: `helpdesk admin create` and the bootstrap admin.
    public func createAdmin(workspaceID: UUID, email: String, name: String, password: String) async throws -> User {
        try await create(workspaceID: workspaceID,
                         NewUser(email: email, name: name, role: Role.admin.rawValue, password: password),
                         actor: .system)
    }

    /// Self-registration: a customer with default settings. The password is the auth service's business.
    public func registerCustomer(workspaceID: UUID, email: String, name: String) async throws -> User {
        try await create(workspaceID: workspaceID, NewUser(email: email, name: name, role: Role.customer.rawValue),
                         actor: .system)
    }

    /// The first-run setup: creates the workspace's first admin, or throws 409 `setup_complete` when an admin
    /// already exists. The check and the insert share one transaction (serialized by an advisory lock on
    /// PostgreSQL and by the single writer on SQLite), so two racing setups cannot both win.
    public func createFirstAdmin(workspaceID: UUID, email: String, name: String, password: String) async throws -> User {
        try await create(workspaceID: workspaceID,
                         NewUser(email: email, name: name, role: Role.admin.rawValue, password: password),
                         actor: .system, onlyIfNoAdmin: true)
    }

    static func setupComplete() -> HelpdeskError {
        HelpdeskError(status: 409, code: "setup_complete", title: "Setup already done",
                      detail: "This workspace already has an admin; sign in instead.")
    }

    func create(workspaceID: UUID, _ input: NewUser, actor: EventActor, onlyIfNoAdmin: Bool = false) async throws -> User {
        var errors: [FieldError] = []
        let email = UserValidation.email(input.email, errors: &errors)
        let name = UserValidation.name(input.name, errors: &errors)
        let role = UserValidation.role(input.role, errors: &errors)
        let locale = UserValidation.locale(input.locale ?? "en", errors: &errors)
        let timeZone = UserValidation.timeZone(input.timeZone ?? "UTC", errors: &errors)
        if let password = input.password, let email {
            do { try credentials.checkPolicy(password: password, email: email) } catch let error as HelpdeskError {
                errors.append(contentsOf: error.errors)
            }
        }
        try UserValidation.check(errors)
        guard let email, let name, let role, let locale, let timeZone else { throw HelpdeskError.validation(errors) }

        let now = clock.now
        let user = User(id: UUIDv7.make(at: now), workspaceID: workspaceID, email: email, name: name, role: role,
                        organizationID: input.organizationID, locale: locale, timeZone: timeZone, active: true,
                        createdAt: now, updatedAt: now)
        let store = self.store
        do {
            try await database.transaction { db in
                if onlyIfNoAdmin {
                    if db.dialect.name == "postgresql" {
                        try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.setupLockKey))").run()
                    }
                    if try await store.adminCount(workspaceID: workspaceID, on: db) > 0 { throw Self.setupComplete() }
                }
                if let org = user.organizationID,
                   try await store.organization(workspaceID: workspaceID, id: org, on: db) == nil {
                    throw HelpdeskError.validation(field: "organization_id", "does not exist")
                }
                if try await store.user(workspaceID: workspaceID, email: email, on: db) != nil {
                    throw Self.emailTaken()
                }
                try await store.insert(user, on: db)
                try await Outbox.append(UserEvents.event("user.created", user: user, actor: actor, data: [
                    "email": .string(user.email), "name": .string(user.name), "role": .string(user.role.rawValue),
                ]), on: db)
            }
        } catch where Database.isUniqueViolation(error) {
            throw Self.emailTaken()
        }
        if let password = input.password {
            do {
                try await credentials.setPassword(workspaceID: workspaceID, userID: user.id, password: password, actor: actor)
            } catch {
                // Compensate: a user nobody can log in as and nobody asked for without a password.
                try? await discard(workspaceID: workspaceID, id: user.id)
                throw error
            }
        }
        return user
    }

    /// Removes a just-created user whose credentials failed to store; nothing else references it yet.
    public func discard(workspaceID: UUID, id: UUID) async throws {
        let store = self.store
        try await database.transaction { db in
            try await store.delete(workspaceID: workspaceID, id: id, on: db)
        }
    }

    /// Serializes first-run setups across processes on PostgreSQL.
    static let setupLockKey: Int64 = 0x4864_5365_7475_7031   // "HdSetup1"

    static func emailTaken() -> HelpdeskError {
        .conflict(code: "email_taken", "A user with this email already exists.", field: "email")
    }
}
