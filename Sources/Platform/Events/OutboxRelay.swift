import Foundation
import HelpdeskCore
import Logging
import ServiceLifecycle
import SQLKit

/// Publishes committed outbox rows to the bus in commit order and marks them published.
///
/// It wakes after every commit in this process and polls for rows other processes wrote. Delivery is
/// at-least-once: a row is marked only after the bus accepted it; a failing event is retried on the next pass.
public actor OutboxRelay: Service {
    let database: Database
    let bus: any EventBus
    let logger: Logger
    let pollInterval: Duration
    let batchSize = 100
    /// Publish only this workspace's events: for tests sharing one database, each with its own bus.
    let workspaceID: UUID?

    public init(database: Database, bus: any EventBus, logger: Logger, pollInterval: Duration = .seconds(2),
                workspaceID: UUID? = nil) {
        self.database = database
        self.workspaceID = workspaceID
        self.bus = bus
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Runs until graceful shutdown, draining after each commit signal or poll interval.
    public func run() async throws {
        let signals = database.commitSignals
        let interval = pollInterval
        // Stop at graceful shutdown: anything unpublished stays in the outbox for the next start.
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { await self.drainLogging() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if !Task.isCancelled { await self.drainLogging() }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func drainLogging() async {
        do { _ = try await drain() } catch {
            logger.warning("outbox relay pass failed; will retry", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Publishes everything pending now; returns how many events went out. Tests call this to settle events.
    @discardableResult
    public func drain() async throws -> Int {
        // One pass at a time in this process (the actor is re-entered at every await): two passes would read
        // the same rows and publish them twice, out of order.
        while draining { await withCheckedContinuation { waiting.append($0) } }
        draining = true
        do {
            let count = try await drainExclusive()
            finishPass()
            return count
        } catch {
            finishPass()
            throw error
        }
    }

    private var draining = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func finishPass() {
        draining = false
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    private func drainExclusive() async throws -> Int {
        guard database.kind == .postgres else { return try await drainUnlocked() }
        // Every process runs a relay over the shared outbox; one drains at a time so events keep commit order.
        return try await database.withConnection { session in
            // Waits for a relay of another process to finish its pass: a caller of `drain` expects the rows
            // committed before the call to be published when it returns.
            try await session.raw("SELECT pg_advisory_lock(\(unsafeRaw: Self.lockKey))").run()
            do {
                let count = try await self.drainUnlocked()
                try await session.raw("SELECT pg_advisory_unlock(\(unsafeRaw: Self.lockKey))").run()
                return count
            } catch {
                try? await session.raw("SELECT pg_advisory_unlock(\(unsafeRaw: Self.lockKey))").run()
                throw error
            }
        }
    }

    /// An arbitrary constant naming the relay's advisory lock (distinct from the migrator's).
    static let lockKey = "7305118840192001"

    private func drainUnlocked() async throws -> Int {
        var total = 0
        let scope = workspaceID.map { " AND workspace_id = '\($0.lowercased)'" } ?? ""
        while true {
            let rows = try await database.sql.raw("""
                SELECT seq, envelope FROM outbox WHERE published_at IS NULL\(unsafeRaw: scope)
                ORDER BY seq LIMIT \(unsafeRaw: String(batchSize))
                """).all()
            if rows.isEmpty { return total }
            var seqs: [Int64] = []
            var events: [EventEnvelope] = []
            var unreadable: (any Error)?
            for row in rows {
                do {
                    let json = try row.decode(column: "envelope", as: String.self)
                    events.append(try EventJSON.decoder().decode(EventEnvelope.self, from: Data(json.utf8)))
                    seqs.append(try row.decode(column: "seq", as: Int64.self))
                } catch {
                    unreadable = error
                    break
                }
            }
            // Stop at the first failure so later events never overtake an earlier one.
            let (accepted, failure) = await bus.publish(events)
            try await markPublished(Array(seqs.prefix(accepted)))
            if let error = failure ?? unreadable { throw error }
            total += accepted
            // A short page was the end when it was read; rows committed since come with their commit's signal.
            if rows.count < batchSize { return total }
        }
    }

    /// Marks the rows published in one statement (it was a transaction per event). Dying before it means those
    /// events go out again on the next pass, which consumers already expect (`ConsumerLedger`).
    private func markPublished(_ seqs: [Int64]) async throws {
        guard !seqs.isEmpty else { return }
        var statement: SQLQueryString = "UPDATE outbox SET published_at = \(bind: Date().epochMilliseconds) WHERE "
        statement.appendOneOf("seq", seqs, kind: database.kind)
        let sql = database.sql
        let update = statement
        try await database.exclusive { try await sql.raw(update).run() }
    }
}
