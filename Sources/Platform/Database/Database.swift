@preconcurrency import AsyncKit
import Foundation
import HelpdeskCore
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The one database of a process: a connection pool over SQLite or PostgreSQL, with transactions.
///
/// Services never see the pool: they get `any SQLDatabase` from `read` or `transaction` and keep their SQL in
/// their own store type.
public final class Database: Sendable {
    public let kind: DatabaseKind
    public let url: DatabaseURL
    private let pool: Pool
    /// Pooled connections in use now, and the pool's size (for `/metrics`).
    public let connections: ConnectionMeter
    private let logger: Logger
    private let commits: AsyncStream<Void>.Continuation
    /// Yields after every committed transaction that wrote to the outbox; the outbox relay listens to publish
    /// promptly.
    public let commitSignals: AsyncStream<Void>
    private let writerGate = WriterGate()

    // The pools are thread-safe; AsyncKit predates Sendable annotations.
    private enum Pool: @unchecked Sendable {
        case sqlite(SQLiteConnectionPool)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    /// Opens a pool; for SQLite the file's folder is created if missing.
    public init(url: DatabaseURL, maxConnectionsPerEventLoop: Int? = nil, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.url = url
        self.kind = url.kind
        self.logger = logger
        (commitSignals, commits) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        switch url {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let capacity = (maxConnectionsPerEventLoop ?? 4) * eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 }
            connections = ConnectionMeter(capacity: capacity)
            pool = .sqlite(SQLiteConnectionPool(path: path, capacity: capacity, busyTimeoutMilliseconds: 10_000))
        case .postgres(let text):
            var configuration = try SQLPostgresConfiguration(url: text)
            // No parallel workers for our sessions: the statements are short, and starting workers cost a search
            // 24 ms before its first row on the benchmark machine (`bench/run` search 112 -> 137 req/s).
            configuration.coreConfiguration.options.additionalStartupParameters.append(("max_parallel_workers_per_gather", "0"))
            connections = ConnectionMeter(capacity: (maxConnectionsPerEventLoop ?? 8) * eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 })
            pool = .postgres(EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: maxConnectionsPerEventLoop ?? 8,
                requestTimeout: .seconds(30), logger: logger, on: eventLoopGroup))
        }
    }

    /// A database for reads and single statements; each call may use a different pooled connection.
    public var sql: any SQLDatabase {
        switch pool {
        case .sqlite(let p): MeteredSQLDatabase(base: SQLitePoolDatabase(pool: p, logger: logger), meter: connections)
        case .postgres(let p): MeteredSQLDatabase(base: PostgresDirectDatabase(database: p.database(logger: logger), prepares: true), meter: connections)
        }
    }

    /// Runs `body` in one transaction on one connection: committed if it returns, rolled back if it throws.
    ///
    /// SQLite transactions begin IMMEDIATE so two writers queue on the busy timeout rather than deadlock.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let begin: SQLQueryString = kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        // PostgresKit runs the session closure in a task of its own; the request's event context goes along.
        let eventContext = EventContext.current
        let outboxWrites = OutboxWrites()
        let result = try await exclusive { try await self.sql.withSession { db in
            try await db.raw(begin).run()
            do {
                let value = try await EventContext.$current.withValue(eventContext) {
                    try await OutboxWrites.$current.withValue(outboxWrites) { try await body(db) }
                }
                try await db.raw("COMMIT").run()
                return value
            } catch {
                do { try await db.raw("ROLLBACK").run() } catch {
                    self.logger.error("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                throw error
            }
        } }
        // Only commits with events wake the relay: every consumer's commit did, and under load the relay spent
        // three statements a pass (lock, empty read, unlock) on about four passes per event.
        if outboxWrites.wrote { commits.yield() }
        return result
    }

    /// Runs `body` as this process's only SQLite writer (see `WriterGate`); on PostgreSQL it just runs it.
    /// Every SQLite write outside `transaction` goes through here.
    public func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard kind == .sqlite else { return try await body() }
        await writerGate.acquire()
        do {
            let value = try await body()
            await writerGate.release()
            return value
        } catch {
            await writerGate.release()
            throw error
        }
    }

    /// Runs `body` on one connection without a transaction (for session-level locks).
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await sql.withSession(body)
    }

    /// Refreshes the planner's statistics after a bulk load (the seeder): PostgreSQL plans lists and searches
    /// from them, and without them picked sequential scans over freshly loaded tables. On PostgreSQL the tables
    /// are vacuumed too: otherwise autovacuum does it in the first minute of serving (measured as a third less
    /// throughput in the benchmark's first scenarios), and index-only scans need the visibility map it sets.
    public func refreshStatistics() async throws {
        switch kind {
        case .postgres: try await sql.raw("VACUUM ANALYZE").run()
        case .sqlite: try await sql.raw("PRAGMA optimize").run()
        }
    }

    /// True when a trivial query succeeds: what `/readyz` reports.
    public func isReachable() async -> Bool {
        do {
            try await sql.raw("SELECT 1").run()
            return true
        } catch {
            return false
        }
    }

    /// Closes every pooled connection; call once, after the server has stopped taking requests.
    public func shutdown() async {
        commits.finish()
        do {
            switch pool {
            case .sqlite(let p): await p.shutdown()
            case .postgres(let p): try await p.shutdownAsync()
            }
        } catch {
            logger.warning("database pool shutdown", metadata: ["error": "\(error)"])
        }
    }
}
