import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// What a successful login or refresh returns.
public struct TokenPair: Sendable, Encodable {
    public let accessToken: String
    public let refreshToken: String
    public let tokenType = "Bearer"
    public let expiresIn: Int
    public let user: DirectoryUser

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case user
    }
}

/// Where a request came from, kept on the session so a user can recognise it.
public struct ClientInfo: Sendable {
    public var userAgent: String?
    public var ip: String?

    public init(userAgent: String? = nil, ip: String? = nil) {
        self.userAgent = userAgent.map { String($0.prefix(512)) }
        self.ip = ip
    }
}

/// Logins, sessions, refresh-token rotation, registration and passwords.
public struct Authenticator: Sendable {
    let database: Database
    let directory: any UserDirectory
    let credentials: Credentials
    let tokens: AccessTokens
    let mailer: any Mailer
    let configuration: AuthConfiguration
    let clock: TimeSource
    let store: AuthStore
    /// Verified against when the account does not exist, so both cases take a bcrypt's time.
    let decoyHash: String

    public init(database: Database, directory: any UserDirectory, credentials: Credentials, tokens: AccessTokens,
                mailer: any Mailer, configuration: AuthConfiguration, clock: TimeSource = .system) async throws {
        self.database = database
        self.directory = directory
        self.credentials = credentials
        self.tokens = tokens
        self.mailer = mailer
        self.configuration = configuration
        self.clock = clock
        self.store = AuthStore(kind: database.kind)
        self.decoyHash = try await credentials.hasher.hash(SecureToken.generate())
    }

    // MARK: - Login

    /// Checks the password and opens a session. Failures never say whether the email exists; the sixth
    /// failure within the window locks the account for the rest of it (429 with `Retry-After`).
    public func login(workspaceID: UUID, email: String, password: String, client: ClientInfo) async throws -> TokenPair {
        let normalized = EmailAddress.normalize(email)
        let now = clock.now
        let failures = try await store.recentFailures(workspaceID: workspaceID, email: normalized,
                                                      since: now.addingTimeInterval(-configuration.failureWindow),
                                                      on: database.sql)
        if failures.count >= configuration.maxFailedLogins {
            let unlock = failures[configuration.maxFailedLogins - 1].addingTimeInterval(configuration.failureWindow)
            throw HelpdeskError.rateLimited(retryAfterSeconds: Int(unlock.timeIntervalSince(now).rounded(.up)),
                                            detail: "Too many failed logins for this account; try again later.")
        }

        let user = try await directory.user(workspaceID: workspaceID, email: normalized)
        var valid = false
        if let user, user.active {
            valid = try await credentials.verify(password: password, userID: user.id, workspaceID: workspaceID)
        } else {
            _ = try await credentials.hasher.verify(password, hash: decoyHash)
        }
        guard let user, valid else {
            let store = self.store
            try await database.transaction { db in
                try await store.recordFailure(workspaceID: workspaceID, email: normalized, at: now, on: db)
                try await Outbox.append(EventEnvelope(
                    type: "auth.login_failed", workspaceID: workspaceID, actor: .system,
                    subject: user.map { EventSubject(type: "user", id: $0.id) }
                        ?? EventSubject(type: "login_attempt", id: UUIDv7.make(at: now)),
                    occurredAt: now,
                    data: ["email": .string(normalized), "reason": .string(user == nil ? "unknown_email" :
                                                                             (user!.active ? "wrong_password" : "inactive"))]),
                    on: db)
            }
            throw HelpdeskError.invalidCredentials()
        }
        return try await openSession(for: user, client: client, clearingFailuresFor: normalized)
    }

    private func openSession(for user: DirectoryUser, client: ClientInfo, clearingFailuresFor email: String) async throws -> TokenPair {
        let now = clock.now
        let session = Session(id: UUIDv7.make(at: now), workspaceID: user.workspaceID, userID: user.id, createdAt: now,
                              lastUsedAt: now, expiresAt: now.addingTimeInterval(configuration.refreshTokenLifetime),
                              userAgent: client.userAgent, ip: client.ip)
        let refreshToken = SecureToken.generate()
        let store = self.store
        try await database.transaction { db in
            try await store.clearFailures(workspaceID: user.workspaceID, email: email, on: db)
            try await store.insert(session, on: db)
            try await store.insertRefreshToken(hash: SecureToken.hash(refreshToken), sessionID: session.id,
                                               workspaceID: user.workspaceID, issuedAt: now, expiresAt: session.expiresAt,
                                               on: db)
            try await Outbox.append(AuthEvents.event("auth.login_succeeded", workspaceID: user.workspaceID, userID: user.id,
                                                     actor: EventActor(id: user.id, type: "user"), at: now,
                                                     data: ["session_id": .string(session.id.lowercased)]), on: db)
        }
        return try await pair(for: user, sessionID: session.id, refreshToken: refreshToken)
    }

    func pair(for user: DirectoryUser, sessionID: UUID, refreshToken: String) async throws -> TokenPair {
        let principal = Principal(userID: user.id, workspaceID: user.workspaceID, role: user.role, sessionID: sessionID)
        return TokenPair(accessToken: try await tokens.issue(for: principal), refreshToken: refreshToken,
                         expiresIn: Int(tokens.lifetime), user: user)
    }

    // MARK: - Registration

    /// Self-registration of a customer with a password.
    public func register(workspaceID: UUID, email: String, password: String, name: String) async throws -> DirectoryUser {
        guard configuration.allowRegistration else { throw HelpdeskError.registrationDisabled() }
        try PasswordPolicy.check(password: password, email: email)
        let user = try await directory.registerCustomer(workspaceID: workspaceID, email: email, name: name)
        do {
            try await credentials.setPassword(workspaceID: workspaceID, userID: user.id, password: password,
                                              actor: EventActor(id: user.id, type: "user"))
        } catch {
            try? await directory.discardRegistration(workspaceID: workspaceID, id: user.id)
            throw error
        }
        return user
    }

    // MARK: - First-run setup

    /// Whether the workspace still needs its first admin.
    public func needsSetup(workspaceID: UUID) async throws -> Bool {
        try await !directory.hasAdmin(workspaceID: workspaceID)
    }

    /// Creates the first admin (only while none exists) and signs them in.
    public func setup(workspaceID: UUID, email: String, password: String, name: String,
                      client: ClientInfo) async throws -> TokenPair {
        try PasswordPolicy.check(password: password, email: email)
        _ = try await directory.createFirstAdmin(workspaceID: workspaceID, email: email, name: name, password: password)
        return try await login(workspaceID: workspaceID, email: email, password: password, client: client)
    }
}
