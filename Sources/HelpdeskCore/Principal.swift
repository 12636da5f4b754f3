import Foundation

/// Who is making a request: taken from a verified access token.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let workspaceID: UUID
    public let role: Role
    public let sessionID: UUID
    /// Set when a rule acts (a trigger, an automation): its changes are recorded as the rule's, not a user's.
    public let rule: RuleActor?

    public init(userID: UUID, workspaceID: UUID, role: Role, sessionID: UUID, rule: RuleActor? = nil) {
        self.userID = userID
        self.workspaceID = workspaceID
        self.role = role
        self.sessionID = sessionID
        self.rule = rule
    }

    /// A rule acting in a workspace: it may change what an admin may, and its notes are signed with its id.
    public static func acting(for rule: RuleActor, in workspaceID: UUID) -> Principal {
        Principal(userID: rule.id, workspaceID: workspaceID, role: .admin, sessionID: rule.id, rule: rule)
    }

    /// The actor recorded on events this principal causes.
    public var actor: EventActor { rule.map { EventActor(id: $0.id, type: $0.kind) } ?? EventActor(id: userID, type: "user") }

    /// Throws `forbidden` unless the principal holds one of `roles`.
    public func require(_ roles: Role...) throws {
        guard roles.contains(role) else { throw HelpdeskError.forbidden() }
    }
}
