import Foundation

/// A rule (trigger, time-based automation) as the changes it makes are recorded: the ticket's history says
/// "changed by trigger X".
public struct RuleActor: Codable, Sendable, Equatable {
    /// `trigger` or `automation`: the event actor's type.
    public let kind: String
    public let id: UUID
    public let name: String

    public init(kind: String, id: UUID, name: String) {
        self.kind = kind
        self.id = id
        self.name = name
    }
}

/// A ticket as rules read it: every field a trigger condition can name.
public struct RuleTicket: Codable, Sendable, Equatable {
    public let id: UUID
    public let number: Int
    public let subject: String
    public let status: String
    public let priority: String
    public let type: String?
    public let requesterID: UUID
    public let assigneeID: UUID?
    public let teamID: UUID?
    public let organizationID: UUID?
    public let tags: [String]
    public let followerIDs: [UUID]
    public let channel: String
    public let customFields: [String: JSONValue]
    public let version: Int

    public init(id: UUID, number: Int, subject: String, status: String, priority: String, type: String?, requesterID: UUID,
                assigneeID: UUID?, teamID: UUID?, organizationID: UUID?, tags: [String], followerIDs: [UUID], channel: String,
                customFields: [String: JSONValue], version: Int) {
        self.id = id
        self.number = number
        self.subject = subject
        self.status = status
        self.priority = priority
        self.type = type
        self.requesterID = requesterID
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.organizationID = organizationID
        self.tags = tags
        self.followerIDs = followerIDs
        self.channel = channel
        self.customFields = customFields
        self.version = version
    }
}

/// What a rule changes on a ticket. `fields` are in the API's names and shapes (as in `PATCH /tickets/{id}`); tags
/// and followers are added or removed against the ticket as it is when the change is written, so a concurrent
/// agent's tag is never lost.
public struct RuleChange: Codable, Sendable, Equatable {
    public var fields: [String: JSONValue] = [:]
    public var addTags: [String] = []
    public var removeTags: [String] = []
    public var addFollowers: [UUID] = []
    /// An internal note the rule adds.
    public var notes: [String] = []

    public init() {}

    public var isEmpty: Bool { fields.isEmpty && addTags.isEmpty && removeTags.isEmpty && addFollowers.isEmpty && notes.isEmpty }
}

/// How automations change tickets: through the tickets service's own domain logic, validation and events, as a
/// rule actor. Local: a function call; remote: a signed internal call.
public protocol TicketActions: Sendable {
    /// The ticket as rules see it; nil when it is not in the workspace or was deleted.
    func ruleTicket(workspaceID: UUID, id: UUID) async throws -> RuleTicket?
    /// Applies `change` with the checks an admin's change gets; a bad value throws the same 422.
    func apply(_ change: RuleChange, ticketID: UUID, workspaceID: UUID, by rule: RuleActor) async throws -> RuleTicket
}
