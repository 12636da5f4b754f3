import Foundation
import HelpdeskCore
import Logging
import SQLKit

/// The embedded event bus: calls each subscriber in this process, at most once per event per consumer.
///
/// Idempotency: a consumer's handled event ids are kept in `consumed_events`, so a redelivery after a partial
/// failure (the relay retries the whole event) skips consumers that already handled it.
public struct InProcessEventBus: EventBus {
    let database: Database
    let subscriptions: [EventSubscription]
    let logger: Logger

    public init(database: Database, subscriptions: [EventSubscription], logger: Logger) {
        self.database = database
        self.subscriptions = subscriptions
        self.logger = logger
    }

    public func publish(_ event: EventEnvelope) async throws {
        var firstError: (any Error)?
        for subscription in subscriptions where subscription.eventTypes.contains(event.type) {
            let already = try await database.sql.raw("""
                SELECT event_id FROM consumed_events
                WHERE consumer = \(bind: subscription.consumer) AND event_id = \(bind: event.id.lowercased)
                """).first()
            if already != nil { continue }
            do {
                try await subscription.handle(event)
                try await database.transaction { db in
                    try await db.raw("""
                        INSERT INTO consumed_events (consumer, event_id, handled_at)
                        VALUES (\(bind: subscription.consumer), \(bind: event.id.lowercased), \(bind: Date().epochMilliseconds))
                        ON CONFLICT DO NOTHING
                        """).run()
                }
            } catch {
                logger.error("event handler failed", metadata: [
                    "consumer": "\(subscription.consumer)", "event_id": "\(event.id)", "event_type": "\(event.type)",
                    "error": "\(String(reflecting: error))",
                ])
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }
}
