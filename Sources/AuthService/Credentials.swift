import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Password storage: bcrypt hashes keyed by user, never the password itself.
public struct Credentials: CredentialRegistry {
    let database: Database
    let hasher: PasswordHasher
    let clock: TimeSource
    let store: AuthStore

    public init(database: Database, hasher: PasswordHasher, clock: TimeSource = .system) {
        self.database = database
        self.hasher = hasher
        self.clock = clock
        self.store = AuthStore(kind: database.kind)
    }

    public func checkPolicy(password: String, email: String) throws {
        try PasswordPolicy.check(password: password, email: email)
    }

    /// Sets a password chosen by an admin or at registration; the hash is computed before the transaction.
    public func setPassword(workspaceID: UUID, userID: UUID, password: String, actor: EventActor) async throws {
        let hash = try await hasher.hash(password)
        let now = clock.now
        let store = self.store
        try await database.transaction { db in
            try await store.setPasswordHash(hash, userID: userID, workspaceID: workspaceID, at: now, on: db)
            try await Outbox.append(AuthEvents.event("auth.password_changed", workspaceID: workspaceID, userID: userID,
                                                     actor: actor, at: now, data: ["reason": "set"]), on: db)
        }
    }

    /// Seeding: gives every user the same password, hashed once (hashing a million times would take days).
    public func seed(workspaceID: UUID, userIDs: [UUID], password: String) async throws {
        let hash = try await hasher.hash(password)
        let now = clock.now
        let store = self.store
        try await database.transaction { db in
            try await store.insertSeededHashes(hash, userIDs: userIDs, workspaceID: workspaceID, at: now, on: db)
        }
    }

    /// Whether `password` matches the user's stored hash (false when the user has none).
    func verify(password: String, userID: UUID, workspaceID: UUID) async throws -> Bool {
        guard let hash = try await store.passwordHash(userID: userID, workspaceID: workspaceID, on: database.sql) else {
            return false
        }
        return try await hasher.verify(password, hash: hash)
    }
}

/// Builds the auth service's events.
enum AuthEvents {
    static func event(_ type: String, workspaceID: UUID, userID: UUID, actor: EventActor, at: Date,
                      data: [String: JSONValue] = [:]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: workspaceID, actor: actor, subject: EventSubject(type: "user", id: userID),
                      occurredAt: at, data: .object(data))
    }

    static func sessionRevoked(_ sessionID: UUID, workspaceID: UUID, userID: UUID, reason: String, actor: EventActor,
                               at: Date) -> EventEnvelope {
        EventEnvelope(type: "auth.session_revoked", workspaceID: workspaceID, actor: actor,
                      subject: EventSubject(type: "session", id: sessionID), occurredAt: at,
                      data: ["user_id": .string(userID.lowercased), "reason": .string(reason)])
    }
}
