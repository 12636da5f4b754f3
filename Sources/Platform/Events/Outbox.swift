import Foundation
import NIOConcurrencyHelpers
import HelpdeskCore
import SQLKit

/// The transactional outbox: an event is written in the same transaction as the change that caused it, and the
/// `OutboxRelay` publishes it after commit. A process dying between commit and publish loses nothing.
public enum Outbox {
    /// The outbox and consumer-bookkeeping tables, owned by the platform rather than any one service.
    public static let migrations = ServiceMigrations(service: "platform", migrations: [
        Migration(version: 1, name: "outbox and consumed events") { kind in [
            """
            CREATE TABLE outbox (
                seq \(kind.autoIncrementPrimaryKey),
                id TEXT NOT NULL UNIQUE,
                workspace_id TEXT NOT NULL,
                type TEXT NOT NULL,
                envelope TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                published_at BIGINT)
            """,
            "CREATE INDEX outbox_unpublished ON outbox (published_at, seq)",
            """
            CREATE TABLE consumed_events (
                consumer TEXT NOT NULL, event_id TEXT NOT NULL, handled_at BIGINT NOT NULL,
                PRIMARY KEY (consumer, event_id))
            """,
        ] },
        Migration(version: 2, name: "in-process failures and dead letters") { _ in [
            """
            CREATE TABLE event_failures (
                consumer TEXT NOT NULL, event_id TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL,
                updated_at BIGINT NOT NULL, retry_at BIGINT NOT NULL, PRIMARY KEY (consumer, event_id))
            """,
            """
            CREATE TABLE dead_letters (
                id TEXT PRIMARY KEY, consumer TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
                workspace_id TEXT NOT NULL, envelope TEXT NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL,
                failed_at BIGINT NOT NULL)
            """,
        ] },
        // The relay asks for unpublished rows several times a second. PostgreSQL, planning from statistics taken
        // while the table was empty, walked the primary key past every published row instead (2-4 ms a poll
        // with 2,000 rows, growing with the table); an index of the pending rows alone is small and always fits.
        Migration(version: 3, name: "index of unpublished outbox rows") { _ in [
            "CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL",
            "DROP INDEX outbox_unpublished",
        ] },
        // OutboxTrimmer deletes ledger rows by age.
        Migration(version: 4, name: "consumer ledger by age") { _ in [
            "CREATE INDEX consumed_events_handled_at ON consumed_events (handled_at)",
        ] },
    ])

    /// Writes `event` into the outbox on `db`, which must be the transaction making the change.
    public static func append(_ event: EventEnvelope, on db: any SQLDatabase) async throws {
        try await append([event], on: db)
    }

    /// Writes `events` into the outbox in order, in one statement, on the transaction making the change.
    public static func append(_ events: [EventEnvelope], on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = try events.map { event in
            [event.id.lowercased, event.workspaceID.lowercased, event.type,
             String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self), event.occurredAt.epochMilliseconds]
        }
        try await BulkInsert.run(into: "outbox", columns: ["id", "workspace_id", "type", "envelope", "created_at"],
                                 rows: rows, on: db)
        OutboxWrites.current?.mark()
    }
}

/// Whether the transaction running in this task wrote to the outbox, so its commit should wake the relay.
/// Set by `Database.transaction`; an append outside a transaction is published by the relay's poll.
final class OutboxWrites: Sendable {
    @TaskLocal static var current: OutboxWrites?

    private let flag = NIOLockedValueBox(false)

    func mark() { flag.withLockedValue { $0 = true } }
    var wrote: Bool { flag.withLockedValue { $0 } }
}
