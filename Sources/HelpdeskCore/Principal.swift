import Foundation

/// Who is making a request: taken from a verified access token.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let workspaceID: UUID
    public let role: Role
    public let sessionID: UUID

    public init(userID: UUID, workspaceID: UUID, role: Role, sessionID: UUID) {
        self.userID = userID
        self.workspaceID = workspaceID
        self.role = role
        self.sessionID = sessionID
    }

    /// The actor recorded on events this principal causes.
    public var actor: EventActor { EventActor(id: userID, type: "user") }

    /// Throws `forbidden` unless the principal holds one of `roles`.
    public func require(_ roles: Role...) throws {
        guard roles.contains(role) else { throw HelpdeskError.forbidden() }
    }
}
