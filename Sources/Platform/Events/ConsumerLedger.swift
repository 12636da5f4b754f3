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
        let already = try await database.sql.raw("""
            SELECT event_id FROM consumed_events
            WHERE consumer = \(bind: subscription.consumer) AND event_id = \(bind: event.id.lowercased)
            """).first()
        if already != nil { return false }
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
        return true
    }
}
