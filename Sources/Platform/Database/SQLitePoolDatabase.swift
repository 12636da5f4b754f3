@preconcurrency import AsyncKit
import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO

/// An `SQLDatabase` over a pool of set-up SQLite connections: each statement borrows a connection, and
/// `withSession` keeps one for the whole closure (transactions).
struct SQLitePoolDatabase: SQLDatabase, @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<SQLiteWALConnectionSource>
    let logger: Logger

    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }
    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let logger = self.logger
        return pool.withConnection(logger: logger) { connection in
            SQLiteConnectionDatabase(connection: connection, logger: logger).execute(sql: query, onRow)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await closure(SQLiteConnectionDatabase(connection: connection, logger: logger))
    }
}

/// One SQLite connection as an `SQLDatabase` whose rows are `SQLiteDirectRow`s (SQLiteKit's own wrapper decodes
/// every value through `Codable`).
struct SQLiteConnectionDatabase: SQLDatabase {
    let connection: SQLiteConnection
    let logger: Logger
    static let encoder = SQLiteDataEncoder()

    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let (sql, rawBinds) = serialize(query)
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        let binds: [SQLiteData]
        do {
            binds = try rawBinds.map { try Self.encoder.encode($0) }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return connection.query(sql, binds, logger: logger) { onRow(SQLiteDirectRow(row: $0)) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
