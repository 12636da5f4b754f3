import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A login session: one refresh-token family.
struct Session: Sendable, Encodable {
    var id: UUID
    var workspaceID: UUID
    var userID: UUID
    var createdAt: Date
    var lastUsedAt: Date
    var expiresAt: Date
    var revokedAt: Date?
    var userAgent: String?
    var ip: String?

    func isActive(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}

/// A stored refresh token (by hash) and the session it belongs to.
struct RefreshTokenRecord: Sendable {
    var tokenHash: String
    var sessionID: UUID
    var workspaceID: UUID
    var expiresAt: Date
    var usedAt: Date?
}

/// A stored password reset token (by hash).
struct ResetTokenRecord: Sendable {
    var workspaceID: UUID
    var userID: UUID
    var expiresAt: Date
    var usedAt: Date?
}

/// All SQL of the auth service.
struct AuthStore: Sendable {
    let kind: DatabaseKind

    // MARK: - Credentials

    func passwordHash(userID: UUID, workspaceID: UUID, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("""
            SELECT password_hash FROM credentials
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
            """).first()?.decode(column: "password_hash", as: String.self)
    }

    func setPasswordHash(_ hash: String, userID: UUID, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO credentials (user_id, workspace_id, password_hash, updated_at)
            VALUES (\(bind: userID.lowercased), \(bind: workspaceID.lowercased), \(bind: hash), \(bind: now.epochMilliseconds))
            ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at
            """).run()
    }

    /// Seeding: one hash for many users at once.
    func insertSeededHashes(_ hash: String, userIDs: [UUID], workspaceID: UUID, at now: Date,
                            on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = userIDs.map {
            [$0.lowercased, workspaceID.lowercased, hash, now.epochMilliseconds]
        }
        try await BulkInsert.run(into: "credentials", columns: ["user_id", "workspace_id", "password_hash", "updated_at"],
                                 rows: rows, suffix: "ON CONFLICT (user_id) DO NOTHING", on: db)
    }

    // MARK: - Sessions and refresh tokens

    func insert(_ session: Session, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO sessions (id, workspace_id, user_id, created_at, last_used_at, expires_at, user_agent, ip)
            VALUES (\(bind: session.id.lowercased), \(bind: session.workspaceID.lowercased), \(bind: session.userID.lowercased),
                    \(bind: session.createdAt.epochMilliseconds), \(bind: session.lastUsedAt.epochMilliseconds),
                    \(bind: session.expiresAt.epochMilliseconds), \(bind: session.userAgent), \(bind: session.ip))
            """).run()
    }

    func session(id: UUID, on db: any SQLDatabase) async throws -> Session? {
        try await db.raw("""
            SELECT id, workspace_id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip
            FROM sessions WHERE id = \(bind: id.lowercased)
            """).first().map(Self.decodeSession)
    }

    func activeSessions(workspaceID: UUID, userID: UUID, now: Date, after: UUID?, limit: Int,
                        on db: any SQLDatabase) async throws -> [Session] {
        try await db.raw("""
            SELECT id, workspace_id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip
            FROM sessions
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased)
              AND revoked_at IS NULL AND expires_at > \(bind: now.epochMilliseconds)
              AND id > \(bind: after?.lowercased ?? "")
            ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map(Self.decodeSession)
    }

    func touch(sessionID: UUID, now: Date, expiresAt: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE sessions SET last_used_at = \(bind: now.epochMilliseconds), expires_at = \(bind: expiresAt.epochMilliseconds)
            WHERE id = \(bind: sessionID.lowercased)
            """).run()
    }

    /// Revokes one session if still active; returns whether it was.
    func revoke(sessionID: UUID, reason: String, now: Date, on db: any SQLDatabase) async throws -> Bool {
        let active = try await db.raw("""
            SELECT id FROM sessions WHERE id = \(bind: sessionID.lowercased) AND revoked_at IS NULL
            """).first()
        guard active != nil else { return false }
        try await db.raw("""
            UPDATE sessions SET revoked_at = \(bind: now.epochMilliseconds), revoked_reason = \(bind: reason)
            WHERE id = \(bind: sessionID.lowercased) AND revoked_at IS NULL
            """).run()
        return true
    }

    /// Revokes every active session of a user; returns their ids.
    func revokeAll(workspaceID: UUID, userID: UUID, reason: String, now: Date, on db: any SQLDatabase) async throws -> [UUID] {
        let rows = try await db.raw("""
            SELECT id FROM sessions WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND user_id = \(bind: userID.lowercased) AND revoked_at IS NULL
            """).all()
        try await db.raw("""
            UPDATE sessions SET revoked_at = \(bind: now.epochMilliseconds), revoked_reason = \(bind: reason)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased) AND revoked_at IS NULL
            """).run()
        return try rows.map { try $0.uuid("id") }
    }

    func insertRefreshToken(hash: String, sessionID: UUID, workspaceID: UUID, issuedAt: Date, expiresAt: Date,
                            on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO refresh_tokens (token_hash, session_id, workspace_id, issued_at, expires_at)
            VALUES (\(bind: hash), \(bind: sessionID.lowercased), \(bind: workspaceID.lowercased),
                    \(bind: issuedAt.epochMilliseconds), \(bind: expiresAt.epochMilliseconds))
            """).run()
    }

    /// The refresh token with this hash; in a transaction on PostgreSQL the row is locked so two concurrent
    /// refreshes with one token cannot both succeed (SQLite's IMMEDIATE transaction already serializes them).
    func refreshToken(hash: String, forUpdate: Bool, on db: any SQLDatabase) async throws -> RefreshTokenRecord? {
        let lock = forUpdate && kind == .postgres ? " FOR UPDATE" : ""
        guard let row = try await db.raw("""
            SELECT token_hash, session_id, workspace_id, expires_at, used_at FROM refresh_tokens
            WHERE token_hash = \(bind: hash)\(unsafeRaw: lock)
            """).first() else { return nil }
        return RefreshTokenRecord(
            tokenHash: try row.decode(column: "token_hash", as: String.self), sessionID: try row.uuid("session_id"),
            workspaceID: try row.uuid("workspace_id"),
            expiresAt: Date(epochMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
            usedAt: try row.decode(column: "used_at", as: Int64?.self).map(Date.init(epochMilliseconds:)))
    }

    func markUsed(refreshTokenHash: String, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE refresh_tokens SET used_at = \(bind: now.epochMilliseconds) WHERE token_hash = \(bind: refreshTokenHash)
            """).run()
    }

    // MARK: - Login failures

    /// Failure times for this email within the window, newest first.
    func recentFailures(workspaceID: UUID, email: String, since: Date, on db: any SQLDatabase) async throws -> [Date] {
        try await db.raw("""
            SELECT occurred_at FROM login_failures
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND email_normalized = \(bind: email)
              AND occurred_at > \(bind: since.epochMilliseconds)
            ORDER BY occurred_at DESC
            """).all().map { Date(epochMilliseconds: try $0.decode(column: "occurred_at", as: Int64.self)) }
    }

    func recordFailure(workspaceID: UUID, email: String, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO login_failures (workspace_id, email_normalized, occurred_at)
            VALUES (\(bind: workspaceID.lowercased), \(bind: email), \(bind: now.epochMilliseconds))
            """).run()
    }

    func clearFailures(workspaceID: UUID, email: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM login_failures
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND email_normalized = \(bind: email)
            """).run()
    }

    // MARK: - Password resets

    func insertReset(hash: String, workspaceID: UUID, userID: UUID, now: Date, expiresAt: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO password_resets (token_hash, workspace_id, user_id, created_at, expires_at)
            VALUES (\(bind: hash), \(bind: workspaceID.lowercased), \(bind: userID.lowercased),
                    \(bind: now.epochMilliseconds), \(bind: expiresAt.epochMilliseconds))
            """).run()
    }

    func reset(hash: String, forUpdate: Bool, on db: any SQLDatabase) async throws -> ResetTokenRecord? {
        let lock = forUpdate && kind == .postgres ? " FOR UPDATE" : ""
        guard let row = try await db.raw("""
            SELECT workspace_id, user_id, expires_at, used_at FROM password_resets
            WHERE token_hash = \(bind: hash)\(unsafeRaw: lock)
            """).first() else { return nil }
        return ResetTokenRecord(
            workspaceID: try row.uuid("workspace_id"), userID: try row.uuid("user_id"),
            expiresAt: Date(epochMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
            usedAt: try row.decode(column: "used_at", as: Int64?.self).map(Date.init(epochMilliseconds:)))
    }

    /// Spends every outstanding reset token of a user: one reset invalidates the others.
    func useResets(workspaceID: UUID, userID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE password_resets SET used_at = \(bind: now.epochMilliseconds)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND user_id = \(bind: userID.lowercased) AND used_at IS NULL
            """).run()
    }

    // MARK: - Decoding

    static func decodeSession(_ row: any SQLRow) throws -> Session {
        Session(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"), userID: try row.uuid("user_id"),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            lastUsedAt: Date(epochMilliseconds: try row.decode(column: "last_used_at", as: Int64.self)),
            expiresAt: Date(epochMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(epochMilliseconds:)),
            userAgent: try row.decode(column: "user_agent", as: String?.self),
            ip: try row.decode(column: "ip", as: String?.self))
    }

}
