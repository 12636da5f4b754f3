import Foundation

/// Who caused an event: a user, or the system itself.
public struct EventActor: Codable, Sendable, Equatable {
    public let id: UUID?
    public let type: String

    public init(id: UUID?, type: String) {
        self.id = id
        self.type = type
    }

    public static let system = EventActor(id: nil, type: "system")

    enum CodingKeys: String, CodingKey { case id, type }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id?.lowercased, forKey: .id)
        try c.encode(type, forKey: .type)
    }
}

/// What an event is about.
public struct EventSubject: Codable, Sendable, Equatable {
    public let type: String
    public let id: UUID

    public init(type: String, id: UUID) {
        self.type = type
        self.id = id
    }

    enum CodingKeys: String, CodingKey { case type, id }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(id.lowercased, forKey: .id)
    }
}

/// The envelope every event travels in, on the bus, in the outbox and in histories.
public struct EventEnvelope: Codable, Sendable, Equatable {
    public let id: UUID
    public let type: String
    public let workspaceID: UUID
    public let actor: EventActor
    public let subject: EventSubject
    public let occurredAt: Date
    public let data: JSONValue
    public let schemaVersion: Int
    /// The request behind the event (address, client, request id); nil for background work.
    public let context: EventContext?

    public init(id: UUID = UUIDv7.make(), type: String, workspaceID: UUID, actor: EventActor,
                subject: EventSubject, occurredAt: Date, data: JSONValue = [:], schemaVersion: Int = 1,
                context: EventContext? = EventContext.current) {
        self.id = id
        self.type = type
        self.workspaceID = workspaceID
        self.actor = actor
        self.subject = subject
        self.occurredAt = occurredAt
        self.data = data
        self.schemaVersion = schemaVersion
        self.context = context
    }

    enum CodingKeys: String, CodingKey {
        case id, type, actor, subject, data, context
        case workspaceID = "workspace_id"
        case occurredAt = "occurred_at"
        case schemaVersion = "schema_version"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(workspaceID.lowercased, forKey: .workspaceID)
        try c.encode(actor, forKey: .actor)
        try c.encode(subject, forKey: .subject)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(data, forKey: .data)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encodeIfPresent(context, forKey: .context)
    }
}
