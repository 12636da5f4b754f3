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

    var ledger: ConsumerLedger { ConsumerLedger(database: database) }

    public func publish(_ event: EventEnvelope) async throws {
        var firstError: (any Error)?
        for subscription in subscriptions where subscription.wants(event.type) {
            do {
                try await ledger.handleOnce(subscription, event)
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
