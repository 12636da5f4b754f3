import HelpdeskCore

/// A consumer of events: a stable name (its idempotency key) and the event types it wants.
public struct EventSubscription: Sendable {
    public let consumer: String
    public let eventTypes: Set<String>
    public let handle: @Sendable (EventEnvelope) async throws -> Void

    public init(consumer: String, eventTypes: Set<String>, handle: @escaping @Sendable (EventEnvelope) async throws -> Void) {
        self.consumer = consumer
        self.eventTypes = eventTypes
        self.handle = handle
    }
}

/// Delivers published events to subscribers. The in-process bus is the embedded default; Redis Streams later.
public protocol EventBus: Sendable {
    /// Delivers `event` to every interested subscriber; throws if one of them failed, so the relay retries.
    func publish(_ event: EventEnvelope) async throws
}
