import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// Counts the pooled connections this process holds right now: one per statement running outside a session, one
/// per session (a transaction, a lock). `/metrics` shows it against the pool's size.
public final class ConnectionMeter: Sendable {
    private let inUse = NIOLockedValueBox(0)
    /// The pool's ceiling: connections per event loop times event loops.
    public let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    public var current: Int { inUse.withLockedValue { $0 } }
    func acquire() { inUse.withLockedValue { $0 += 1 } }
    func release() { inUse.withLockedValue { $0 -= 1 } }
}

/// The pool's `SQLDatabase`, counting into a `ConnectionMeter`. Inside a session the session's own database is
/// used unwrapped: the session already counts as one connection.
struct MeteredSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let meter: ConnectionMeter

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        meter.acquire()
        return base.execute(sql: query, onRow).always { [meter] _ in meter.release() }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        meter.acquire()
        defer { meter.release() }
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        meter.acquire()
        defer { meter.release() }
        return try await base.withSession(closure)
    }
}
