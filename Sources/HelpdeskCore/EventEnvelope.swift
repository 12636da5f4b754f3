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
}

/// What an event is about.
public struct EventSubject: Codable, Sendable, Equatable {
    public let type: String
    public let id: UUID

    public init(type: String, id: UUID) {
        self.type = type
        self.id = id
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

    public init(id: UUID = UUIDv7.make(), type: String, workspaceID: UUID, actor: EventActor,
                subject: EventSubject, occurredAt: Date, data: JSONValue = [:], schemaVersion: Int = 1) {
        self.id = id
        self.type = type
        self.workspaceID = workspaceID
        self.actor = actor
        self.subject = subject
        self.occurredAt = occurredAt
        self.data = data
        self.schemaVersion = schemaVersion
    }

    enum CodingKeys: String, CodingKey {
        case id, type, actor, subject, data
        case workspaceID = "workspace_id"
        case occurredAt = "occurred_at"
        case schemaVersion = "schema_version"
    }
}
