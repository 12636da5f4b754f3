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

    public var isEmpty: Bool { changesTicket == false && notes.isEmpty }

    /// Whether it changes the ticket's fields, tags or followers (not only adds notes).
    public var changesTicket: Bool { !fields.isEmpty || !addTags.isEmpty || !removeTags.isEmpty || !addFollowers.isEmpty }

    /// Adds `other` after this change, as if it were applied next: its fields win (custom fields key by key), its
    /// tags and followers are added or removed after these.
    public mutating func append(_ other: RuleChange) {
        for (field, value) in other.fields {
            if field == "custom_fields", case .object(let mine)? = fields[field], case .object(let theirs) = value {
                fields[field] = .object(mine.merging(theirs) { $1 })
            } else {
                fields[field] = value
            }
        }
        for tag in other.addTags where !addTags.contains(tag) { addTags.append(tag) }
        removeTags.removeAll { other.addTags.contains($0) }
        for tag in other.removeTags where !removeTags.contains(tag) { removeTags.append(tag) }
        addTags.removeAll { other.removeTags.contains($0) }
        for id in other.addFollowers where !addFollowers.contains(id) { addFollowers.append(id) }
        notes += other.notes
    }
}

/// One rule's change, in the order the rules fired.
public struct RuleApplication: Codable, Sendable, Equatable {
    public let rule: RuleActor
    public let change: RuleChange

    public init(rule: RuleActor, change: RuleChange) {
        self.rule = rule
        self.change = change
    }
}

/// A rule's change the ticket refused (a bad value, a team that is gone), with the error an admin would get.
public struct RuleRefusal: Codable, Sendable, Equatable {
    public let ruleID: UUID
    public let status: Int
    public let code: String
    public let detail: String?
    public let errors: [FieldError]

    public init(ruleID: UUID, _ error: HelpdeskError) {
        self.ruleID = ruleID
        self.status = error.status
        self.code = error.code
        self.detail = error.detail
        self.errors = error.errors
    }

    public var error: HelpdeskError { HelpdeskError(status: status, code: code, title: code, detail: detail, errors: errors) }
}

/// What applying rules' changes did: the ticket afterwards and the changes it refused.
public struct RulesApplied: Codable, Sendable, Equatable {
    public let ticket: RuleTicket
    public let refusals: [RuleRefusal]

    public init(ticket: RuleTicket, refusals: [RuleRefusal]) {
        self.ticket = ticket
        self.refusals = refusals
    }
}

/// How automations change tickets: through the tickets service's own domain logic, validation and events, as a
/// rule actor. Local: a function call; remote: a signed internal call.
public protocol TicketActions: Sendable {
    /// The ticket as rules see it; nil when it is not in the workspace or was deleted.
    func ruleTicket(workspaceID: UUID, id: UUID) async throws -> RuleTicket?
    /// Applies the rules' changes with the checks an admin's change gets: their field, tag and follower changes as one
    /// update recorded as all of theirs, then each rule's notes as its own. When the ticket refuses the update, each
    /// rule's change is tried alone, so a refusal names the rule it belongs to and the others still apply. Throws
    /// only when the change could not be attempted (storage, transport).
    func apply(_ applications: [RuleApplication], ticketID: UUID, workspaceID: UUID) async throws -> RulesApplied
}
