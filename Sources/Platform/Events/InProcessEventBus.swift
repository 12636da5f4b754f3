import Foundation
import HelpdeskCore
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The embedded event bus: calls each subscriber in this process, at most once per event per consumer.
///
/// Idempotency: a consumer's handled event ids are kept in `consumed_events`, so a redelivery after a partial
/// failure (the relay retries the whole event) skips consumers that already handled it. Consumers with a batch
/// handler skip that ledger: repeats are harmless to them, and this process remembers what it handed them (see
/// `publish(_:)` for a page). A handler that keeps failing would hold up every later event, so after
/// `maxAttempts` relay passes the event is dead-lettered for that consumer (table `dead_letters`) and the
/// stream moves on.
public struct InProcessEventBus: EventBus, DeadLetterQueue {
    let database: Database
    let subscriptions: [EventSubscription]
    let logger: Logger
    let maxAttempts: Int
    /// Wait after the n-th failure before the next try: `retryBase × 2^(n-1)`, capped at five minutes.
    let retryBase: TimeInterval

    public init(database: Database, subscriptions: [EventSubscription], logger: Logger, maxAttempts: Int = 8,
                retryBase: TimeInterval = 1) {
        self.database = database
        self.subscriptions = subscriptions
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.retryBase = retryBase
    }

    var ledger: ConsumerLedger { ConsumerLedger(database: database) }
    public var deadLetterQueue: (any DeadLetterQueue)? { self }
    /// What each batch consumer was handed lately: while another consumer fails or backs off, the relay offers
    /// the same page on every pass, and without this every open page would be told of it again each time.
    let handedOver = HandedOver()

    public func publish(_ event: EventEnvelope) async throws {
        try await publish(event, to: subscriptions)
    }

    /// A relay's page: consumers that take a batch (realtime frames, the audit log) get the page's events at once
    /// and without the consumer ledger, as from a Redis read; the others get each event through the ledger. The
    /// batch consumers go first, so pages hear of a change before notifications are rendered. If a batch fails,
    /// that consumer takes this page one event at a time, with the ledger, its retries and dead letters.
    public func publish(_ events: [EventEnvelope]) async -> (accepted: Int, failure: (any Error)?) {
        var oneByOne: [EventSubscription] = []
        for subscription in subscriptions {
            guard let handleBatch = subscription.handleBatch else {
                oneByOne.append(subscription)
                continue
            }
            let wanted = handedOver.take(events.filter { subscription.wants($0.type) }, for: subscription.consumer)
            guard !wanted.isEmpty else { continue }
            do {
                try await handleBatch(wanted)
            } catch {
                logger.warning("batch handler failed; handling the events one by one",
                               metadata: ["consumer": "\(subscription.consumer)", "error": "\(String(reflecting: error))"])
                // Offered again on the relay's next pass, to the batch first.
                handedOver.forget(wanted, for: subscription.consumer)
                oneByOne.append(subscription)
            }
        }
        for (index, event) in events.enumerated() {
            do { try await publish(event, to: oneByOne) } catch { return (index, error) }
        }
        return (events.count, nil)
    }

    private func publish(_ event: EventEnvelope, to subscriptions: [EventSubscription]) async throws {
        var firstError: (any Error)?
        for subscription in subscriptions where subscription.wants(event.type) {
            if let retryAt = try await retryAt(subscription, event), retryAt > Date().epochMilliseconds {
                // Still backing off after a failure: the relay stops here and comes back on a later pass.
                firstError = firstError ?? HelpdeskError.unavailable("\(subscription.consumer) is backing off after a failure")
                continue
            }
            do {
                try await ledger.handleOnce(subscription, event)
            } catch {
                logger.error("event handler failed", metadata: [
                    "consumer": "\(subscription.consumer)", "event_id": "\(event.id)", "event_type": "\(event.type)",
                    "error": "\(String(reflecting: error))",
                ])
                if try await recordFailure(subscription, event, error: error) { continue }
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    private func retryAt(_ subscription: EventSubscription, _ event: EventEnvelope) async throws -> Int64? {
        try await database.sql.raw("""
            SELECT retry_at FROM event_failures
            WHERE consumer = \(bind: subscription.consumer) AND event_id = \(bind: event.id.lowercased)
            """).first()?.decode(column: "retry_at", as: Int64.self)
    }

    /// Counts a failure; at the limit, dead-letters the event for this consumer and returns true.
    private func recordFailure(_ subscription: EventSubscription, _ event: EventEnvelope, error: any Error) async throws -> Bool {
        let consumer = subscription.consumer
        let eventID = event.id.lowercased
        let message = String(String(describing: error).prefix(2_000))
        let now = Date().epochMilliseconds
        let envelope = String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
        let limit = maxAttempts
        let base = retryBase
        return try await database.transaction { db in
            try await db.raw("""
                INSERT INTO event_failures (consumer, event_id, attempts, last_error, updated_at, retry_at)
                VALUES (\(bind: consumer), \(bind: eventID), 1, \(bind: message), \(bind: now), \(bind: now))
                ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = event_failures.attempts + 1,
                  last_error = excluded.last_error, updated_at = excluded.updated_at
                """).run()
            let attempts = try await db.raw("""
                SELECT attempts FROM event_failures WHERE consumer = \(bind: consumer) AND event_id = \(bind: eventID)
                """).first()?.decode(column: "attempts", as: Int.self) ?? 1
            let delay = min(base * Double(1 << min(attempts - 1, 16)), 300)
            try await db.raw("""
                UPDATE event_failures SET retry_at = \(bind: now + Int64(delay * 1000))
                WHERE consumer = \(bind: consumer) AND event_id = \(bind: eventID)
                """).run()
            guard attempts >= limit else { return false }
            try await db.raw("""
                INSERT INTO dead_letters (id, consumer, event_id, type, workspace_id, envelope, attempts, error, failed_at)
                VALUES (\(bind: UUIDv7.make().lowercased), \(bind: consumer), \(bind: eventID), \(bind: event.type),
                        \(bind: event.workspaceID.lowercased), \(bind: envelope), \(bind: attempts), \(bind: message), \(bind: now))
                """).run()
            try await db.raw("DELETE FROM event_failures WHERE consumer = \(bind: consumer) AND event_id = \(bind: eventID)").run()
            // Recorded as consumed, so the relay's retries skip it; a replay removes the mark.
            try await db.raw("""
                INSERT INTO consumed_events (consumer, event_id, handled_at) VALUES (\(bind: consumer), \(bind: eventID), \(bind: now))
                ON CONFLICT DO NOTHING
                """).run()
            return true
        }
    }

    public func deadLetters(workspaceID: UUID, limit: Int, before cursor: String?) async throws -> [DeadLetter] {
        var sql = SQLQueryString("SELECT * FROM dead_letters WHERE workspace_id = \(bind: workspaceID.lowercased)")
        if let cursor {
            guard UUID(uuidString: cursor) != nil else { throw HelpdeskError.badParameter("cursor", "does not belong to this list") }
            sql.appendInterpolation(unsafeRaw: " AND id < ")
            sql.appendInterpolation(bind: cursor.lowercased())
        }
        sql.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
        return try await database.sql.raw(sql).all().map { row in
            DeadLetter(id: try row.decode(column: "id", as: String.self), consumer: try row.decode(column: "consumer", as: String.self),
                       eventID: try row.decode(column: "event_id", as: String.self),
                       eventType: try row.decode(column: "type", as: String.self),
                       attempts: try row.decode(column: "attempts", as: Int.self), error: try row.decode(column: "error", as: String.self),
                       failedAt: RFC3339.string(from: try row.date("failed_at")),
                       envelope: try? JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "envelope", as: String.self).utf8)))
        }
    }

    /// Runs the failed consumer's handler again now; the dead letter is removed only once it succeeded (a
    /// handler that fails again is a 409 and the dead letter stays, its attempts counted).
    public func replay(workspaceID: UUID, deadLetterID: String) async throws -> Bool {
        guard UUID(uuidString: deadLetterID) != nil,
              let row = try await database.sql.raw("""
                SELECT consumer, envelope FROM dead_letters
                WHERE id = \(bind: deadLetterID.lowercased()) AND workspace_id = \(bind: workspaceID.lowercased)
                """).first() else { return false }
        let consumer = try row.decode(column: "consumer", as: String.self)
        let event = try EventJSON.decoder().decode(EventEnvelope.self, from: Data(try row.decode(column: "envelope", as: String.self).utf8))
        guard let subscription = subscriptions.first(where: { $0.consumer == consumer }) else {
            throw HelpdeskError.conflict(code: "consumer_not_here",
                                         "The consumer \(consumer) does not run in this process; replay from one that serves it.")
        }
        let id = deadLetterID.lowercased()
        do {
            try await subscription.handle(event)
        } catch {
            let message = String(String(describing: error).prefix(2_000))
            try await database.transaction { db in
                try await db.raw("""
                    UPDATE dead_letters SET attempts = attempts + 1, error = \(bind: message),
                      failed_at = \(bind: Date().epochMilliseconds) WHERE id = \(bind: id)
                    """).run()
            }
            throw HelpdeskError.conflict(code: "replay_failed", "The handler failed again: \(message)")
        }
        try await database.transaction { db in
            try await db.raw("DELETE FROM dead_letters WHERE id = \(bind: id)").run()
        }
        return true
    }
}

/// The ids of the events each batch consumer of this process was handed, the newest few thousand of them.
final class HandedOver: Sendable {
    private struct Window {
        var ids: Set<UUID> = []
        var order: [UUID] = []
    }

    private let windows = NIOLockedValueBox<[String: Window]>([:])
    static let capacity = 10_000

    /// The events not handed to `consumer` yet, now marked as handed.
    func take(_ events: [EventEnvelope], for consumer: String) -> [EventEnvelope] {
        windows.withLockedValue { windows in
            var window = windows[consumer, default: Window()]
            let fresh = events.filter { window.ids.insert($0.id).inserted }
            window.order += fresh.map(\.id)
            if window.order.count > Self.capacity {
                // Drop the older half at once, so that trimming costs little per event.
                let old = window.order.count - Self.capacity / 2
                for id in window.order.prefix(old) { window.ids.remove(id) }
                window.order.removeFirst(old)
            }
            windows[consumer] = window
            return fresh
        }
    }

    func forget(_ events: [EventEnvelope], for consumer: String) {
        windows.withLockedValue { windows in
            let ids = Set(events.map(\.id))
            windows[consumer]?.ids.subtract(ids)
            windows[consumer]?.order.removeAll { ids.contains($0) }
        }
    }
}
