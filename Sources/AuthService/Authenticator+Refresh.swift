import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension Authenticator {
    private enum RefreshOutcome: Sendable {
        case rotated(userID: UUID, sessionID: UUID)
        case reused
        case invalid
    }

    /// Exchanges a refresh token for a new pair. The old token stops working; presenting it again revokes the
    /// whole session (someone else may hold a copy) and answers `refresh_token_reused`.
    public func refresh(_ refreshToken: String) async throws -> TokenPair {
        let hash = SecureToken.hash(refreshToken)
        guard let known = try await store.refreshToken(hash: hash, forUpdate: false, on: database.sql),
              let session = try await store.session(id: known.sessionID, on: database.sql) else {
            throw HelpdeskError.invalidRefreshToken()
        }
        let user = try await directory.user(workspaceID: session.workspaceID, id: session.userID)
        let now = clock.now
        let newToken = SecureToken.generate()
        let lifetime = configuration.refreshTokenLifetime
        let store = self.store
        let active = user?.active ?? false

        let outcome: RefreshOutcome = try await database.transaction { db in
            guard let token = try await store.refreshToken(hash: hash, forUpdate: true, on: db),
                  let session = try await store.session(id: token.sessionID, on: db) else { return .invalid }
            if token.usedAt != nil {
                if try await store.revoke(sessionID: session.id, reason: "refresh_token_reused", now: now, on: db) {
                    try await Outbox.append(AuthEvents.sessionRevoked(session.id, workspaceID: session.workspaceID,
                                                                      userID: session.userID, reason: "refresh_token_reused",
                                                                      actor: .system, at: now), on: db)
                }
                return .reused
            }
            guard session.isActive(at: now), token.expiresAt > now else { return .invalid }
            guard active else {
                _ = try await store.revoke(sessionID: session.id, reason: "user_inactive", now: now, on: db)
                return .invalid
            }
            try await store.markUsed(refreshTokenHash: hash, at: now, on: db)
            let expires = now.addingTimeInterval(lifetime)
            try await store.insertRefreshToken(hash: SecureToken.hash(newToken), sessionID: session.id,
                                               workspaceID: session.workspaceID, issuedAt: now, expiresAt: expires, on: db)
            try await store.touch(sessionID: session.id, now: now, expiresAt: expires, on: db)
            return .rotated(userID: session.userID, sessionID: session.id)
        }
        switch outcome {
        case .reused: throw HelpdeskError.refreshTokenReused()
        case .invalid: throw HelpdeskError.invalidRefreshToken()
        case .rotated(_, let sessionID):
            guard let user else { throw HelpdeskError.invalidRefreshToken() }
            return try await pair(for: user, sessionID: sessionID, refreshToken: newToken)
        }
    }

    /// Ends the session a refresh token belongs to. Unknown tokens are accepted silently: the caller's goal,
    /// no usable session, already holds.
    public func logout(_ refreshToken: String) async throws {
        let hash = SecureToken.hash(refreshToken)
        guard let token = try await store.refreshToken(hash: hash, forUpdate: false, on: database.sql),
              let session = try await store.session(id: token.sessionID, on: database.sql) else { return }
        try await revoke(session, reason: "logout", actor: EventActor(id: session.userID, type: "user"))
    }

    func revoke(_ session: Session, reason: String, actor: EventActor) async throws {
        let now = clock.now
        let store = self.store
        try await database.transaction { db in
            if try await store.revoke(sessionID: session.id, reason: reason, now: now, on: db) {
                try await Outbox.append(AuthEvents.sessionRevoked(session.id, workspaceID: session.workspaceID,
                                                                  userID: session.userID, reason: reason, actor: actor,
                                                                  at: now), on: db)
            }
        }
    }

    /// Revokes every session of a user, e.g. after deactivation or a password change.
    func revokeAll(workspaceID: UUID, userID: UUID, reason: String, actor: EventActor, on db: any SQLDatabase,
                   at now: Date) async throws {
        let ids = try await store.revokeAll(workspaceID: workspaceID, userID: userID, reason: reason, now: now, on: db)
        for id in ids {
            try await Outbox.append(AuthEvents.sessionRevoked(id, workspaceID: workspaceID, userID: userID, reason: reason,
                                                              actor: actor, at: now), on: db)
        }
    }

    /// Handles `user.deactivated`: the user's sessions end, so no refresh token works any more.
    func handleUserDeactivated(_ event: EventEnvelope) async throws {
        let now = clock.now
        try await database.transaction { db in
            try await revokeAll(workspaceID: event.workspaceID, userID: event.subject.id, reason: "user_deactivated",
                                actor: event.actor, on: db, at: now)
        }
    }
}
