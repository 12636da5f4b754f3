import AsyncKit
import Logging
import NIOCore
import SQLiteKit

/// Opens SQLite connections set up for a server: WAL journal (readers never block the writer) and a busy
/// timeout, so concurrent writers wait for the lock instead of failing with SQLITE_BUSY.
struct SQLiteWALConnectionSource: ConnectionPoolSource {
    let base: SQLiteConnectionSource
    let busyTimeoutMilliseconds: Int

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        base.makeConnection(logger: logger, on: eventLoop).flatMap { connection in
            connection.query("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
                .flatMap { _ in connection.query("PRAGMA journal_mode = WAL") }
                .flatMap { _ in connection.query("PRAGMA synchronous = NORMAL") }
                .map { _ in connection }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
        }
    }
}
