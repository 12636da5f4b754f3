@preconcurrency import AsyncKit
import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// An `SQLDatabase` over a pool of set-up SQLite connections: each statement borrows a connection, and
/// `withSession` keeps one for the whole closure (transactions).
struct SQLitePoolDatabase: SQLDatabase, @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<SQLiteWALConnectionSource>
    let logger: Logger

    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }
    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        pool.withConnection(logger: logger) { connection in
            connection.sql(queryLogLevel: .trace).execute(sql: query, onRow)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await closure(connection.sql(queryLogLevel: .trace))
    }
}
