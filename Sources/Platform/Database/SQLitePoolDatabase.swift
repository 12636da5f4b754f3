import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// An `SQLDatabase` over the SQLite pool: each statement borrows a handle, and `withSession` keeps one for the
/// whole closure (transactions).
struct SQLitePoolDatabase: AsyncSQLDatabase {
    let pool: SQLiteConnectionPool
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let handle = try await pool.lease()
        defer { pool.release(handle) }
        try await SQLiteConnectionDatabase(handle: handle, logger: logger, readsInline: true).execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let handle = try await pool.lease()
        defer { pool.release(handle) }
        return try await closure(SQLiteConnectionDatabase(handle: handle, logger: logger))
    }
}

/// One leased SQLite handle as an `SQLDatabase`; its rows are `SQLiteDirectRow`s.
struct SQLiteConnectionDatabase: AsyncSQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    /// Outside a session a `SELECT` runs on the caller's thread (see `SQLiteHandle.query`). Inside one it may
    /// follow `BEGIN IMMEDIATE` and so must not hold a cooperative thread while SQLite waits for a lock.
    var readsInline = false
    static let encoder = SQLiteDataEncoder()

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, rawBinds) = serialize(query)
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        let binds = try rawBinds.map { try Self.encoder.encode($0) }
        try await handle.query(sql, binds, inline: readsInline && SQLiteHandle.isRead(sql)) { onRow($0) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
