import Foundation
import HelpdeskCore

/// A consumer of events: a stable name (its idempotency key and, on Redis, its consumer group) and the
/// event types it wants.
public struct EventSubscription: Sendable {
    public let consumer: String
    public let eventTypes: Set<String>
    public let handle: @Sendable (EventEnvelope) async throws -> Void
    /// On Redis, whether a consumer group created for the first time reads the events already in the stream
    /// (the audit log must) or only those published from then on (notifications must not mail last week's news).
    public let readsHistory: Bool
    /// For a consumer that applies each event once by itself (the audit log, by unique event id), or for which
    /// a repeat is harmless (realtime frames): handles a batch read from the stream at once, without the
    /// consumer ledger's statements per event. If it throws, the batch's events go through `handle` and the
    /// ledger one by one.
    public let handleBatch: (@Sendable ([EventEnvelope]) async throws -> Void)?

    public init(consumer: String, eventTypes: Set<String>, readsHistory: Bool = true,
                handleBatch: (@Sendable ([EventEnvelope]) async throws -> Void)? = nil,
                handle: @escaping @Sendable (EventEnvelope) async throws -> Void) {
        self.consumer = consumer
        self.eventTypes = eventTypes
        self.readsHistory = readsHistory
        self.handleBatch = handleBatch
        self.handle = handle
    }

    /// Whether the subscription wants `type`; `*` subscribes to every event (the audit log).
    public func wants(_ type: String) -> Bool {
        eventTypes.contains(type) || eventTypes.contains("*")
    }
}

/// Delivers published events to subscribers: in-process (the embedded default) or Redis Streams.
public protocol EventBus: Sendable {
    /// Hands `event` to the bus; throws if it was not accepted, so the relay retries.
    func publish(_ event: EventEnvelope) async throws

    /// Hands `events` to the bus in order and stops at the first one not accepted: how many were accepted, and
    /// why the next was not. A bus may send them together (Redis: one round trip for the relay's page).
    func publish(_ events: [EventEnvelope]) async -> (accepted: Int, failure: (any Error)?)

    /// Delivers everything already published to this process's consumers before returning. Tests and the
    /// CLI call it to settle events; the in-process bus delivers during `publish`, so it has nothing to do.
    func settle() async throws

    /// Where events that kept failing end up, if this bus keeps them.
    var deadLetterQueue: (any DeadLetterQueue)? { get }
}

extension EventBus {
    public func publish(_ events: [EventEnvelope]) async -> (accepted: Int, failure: (any Error)?) {
        for (i, event) in events.enumerated() {
            do { try await publish(event) } catch { return (i, error) }
        }
        return (events.count, nil)
    }

    public func settle() async throws {}
    public var deadLetterQueue: (any DeadLetterQueue)? { nil }
}

/// Events a consumer gave up on, for admins to inspect and replay.
public protocol DeadLetterQueue: Sendable {
    /// Newest first, below `cursor` (the id of the last item of the previous page).
    func deadLetters(workspaceID: UUID, limit: Int, before cursor: String?) async throws -> [DeadLetter]
    /// Hands the event to its consumer again; false when no dead letter has that id in the workspace.
    func replay(workspaceID: UUID, deadLetterID: String) async throws -> Bool
}
