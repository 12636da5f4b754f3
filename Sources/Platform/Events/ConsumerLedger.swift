import Foundation
import HelpdeskCore
import SQLKit

/// Remembers which events each consumer has handled (`consumed_events`), so at-least-once delivery applies
/// every event once: a redelivered event whose id is already recorded is skipped.
public struct ConsumerLedger: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Runs the subscription's handler unless this consumer already handled `event`; records it afterwards.
    /// Returns false when the event was a duplicate.
    @discardableResult
    public func handleOnce(_ subscription: EventSubscription, _ event: EventEnvelope) async throws -> Bool {
        if try await handled(by: subscription.consumer, among: [event]).contains(event.id) { return false }
        try await handle(subscription, event)
        return true
    }

    /// Which of `events` the consumer handled already: one statement for a batch read from the stream.
    public func handled(by consumer: String, among events: [EventEnvelope]) async throws -> Set<UUID> {
        guard !events.isEmpty else { return [] }
        var q = SQLQueryString("SELECT event_id FROM consumed_events WHERE consumer = \(bind: consumer) AND ")
        q.appendOneOf("event_id", events.map(\.id.lowercased), kind: database.kind)
        return Set(try await database.sql.raw(q).all().compactMap {
            UUID(uuidString: try $0.decode(column: "event_id", as: String.self))
        })
    }

    /// Runs the handler and records the event as handled by this consumer (the caller checked it was not).
    public func handle(_ subscription: EventSubscription, _ event: EventEnvelope) async throws {
        try await subscription.handle(event)
        // One statement commits on its own; a transaction around it cost two more round trips per event and
        // consumer (about seventeen per created ticket on PostgreSQL).
        let sql = database.sql
        let consumer = subscription.consumer
        try await database.exclusive {
            try await sql.raw("""
                INSERT INTO consumed_events (consumer, event_id, handled_at)
                VALUES (\(bind: consumer), \(bind: event.id.lowercased), \(bind: Date().epochMilliseconds))
                ON CONFLICT DO NOTHING
                """).run()
        }
    }
}
