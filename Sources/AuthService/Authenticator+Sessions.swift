import Foundation
import HelpdeskCore
import Platform

/// A session as its owner sees it.
public struct SessionView: Sendable, Encodable {
    let id: UUID
    let createdAt: Date
    let lastUsedAt: Date
    let expiresAt: Date
    let userAgent: String?
    let ip: String?
    let current: Bool

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastUsedAt, forKey: .lastUsedAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(userAgent, forKey: .userAgent)
        try c.encode(ip, forKey: .ip)
        try c.encode(current, forKey: .current)
    }

    enum CodingKeys: String, CodingKey {
        case id, ip, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case userAgent = "user_agent"
    }
}

extension Authenticator {
    /// The caller's active sessions, oldest first, the current one marked.
    public func sessions(_ principal: Principal, page: PageRequest) async throws -> Page<SessionView> {
        let after = try page.afterID()
        let sessions = try await store.activeSessions(workspaceID: principal.workspaceID, userID: principal.userID,
                                                      now: clock.now, after: after, limit: page.limit + 1, on: database.sql)
        let views = sessions.map {
            SessionView(id: $0.id, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, expiresAt: $0.expiresAt,
                        userAgent: $0.userAgent, ip: $0.ip, current: $0.id == principal.sessionID)
        }
        return Page(rows: views, limit: page.limit) { $0.id.lowercased }
    }

    /// Revokes one of the caller's own sessions; anyone else's is 404.
    public func revokeSession(_ principal: Principal, id: UUID) async throws {
        guard let session = try await store.session(id: id, on: database.sql),
              session.workspaceID == principal.workspaceID, session.userID == principal.userID,
              session.isActive(at: clock.now) else {
            throw HelpdeskError.notFound("session")
        }
        try await revoke(session, reason: "revoked_by_user", actor: principal.actor)
    }
}
