import Foundation

/// Who is making a request: taken from a verified access token.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let workspaceID: UUID
    public let role: Role
    public let sessionID: UUID
    /// Set when rules act (triggers, an automation): their changes are recorded as theirs, not a user's. Several
    /// rules fired by one event write one change together.
    public let rules: [RuleActor]

    public init(userID: UUID, workspaceID: UUID, role: Role, sessionID: UUID, rules: [RuleActor] = []) {
        self.userID = userID
        self.workspaceID = workspaceID
        self.role = role
        self.sessionID = sessionID
        self.rules = rules
    }

    /// The first rule acting, whose id the events' actor carries.
    public var rule: RuleActor? { rules.first }

    /// Rules acting in a workspace: they may change what an admin may, and notes are signed with the first's id.
    public static func acting(for rules: RuleActor..., in workspaceID: UUID) -> Principal {
        acting(for: rules, in: workspaceID)
    }

    /// Rules acting together in a workspace (see above).
    public static func acting(for rules: [RuleActor], in workspaceID: UUID) -> Principal {
        precondition(!rules.isEmpty, "a rule principal needs a rule")
        return Principal(userID: rules[0].id, workspaceID: workspaceID, role: .admin, sessionID: rules[0].id, rules: rules)
    }

    /// The actor recorded on events this principal causes.
    public var actor: EventActor { rule.map { EventActor(id: $0.id, type: $0.kind) } ?? EventActor(id: userID, type: "user") }

    /// Throws `forbidden` unless the principal holds one of `roles`.
    public func require(_ roles: Role...) throws {
        guard roles.contains(role) else { throw HelpdeskError.forbidden() }
    }
}
