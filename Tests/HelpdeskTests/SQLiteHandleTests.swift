import Foundation
import Logging
@testable import Platform
import SQLKit
import Testing

/// The SQLite layer on the C API (cached statements, direct rows, its own pool) must behave as a plain SQLite
/// connection would: these run on SQLite whatever backend the suite is given.
@Suite("SQLite connections")
struct SQLiteHandleTests {
    /// A fresh SQLite database, or with `suiteBackend` the suite's own (PostgreSQL in that phase of `scripts/test`).
    private func withDatabase(capacity: Int = 1, suiteBackend: Bool = false, _ body: (Database) async throws -> Void) async throws {
        let (url, dir): (DatabaseURL, String)
        if suiteBackend {
            (url, dir) = try TestBackend.makeURL()
        } else {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-\(UUID().uuidString)").path
            url = .sqlite(path: dir + "/db.sqlite")
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = { var l = Logger(label: "test"); l.logLevel = .critical; return l }()
        let database = try Database(url: url, maxConnectionsPerEventLoop: suiteBackend ? nil : capacity, logger: logger)
        do { try await body(database) } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    @Test("values come back with their types; text keeps NULs and non-ASCII; blobs and NULLs round-trip")
    func values() async throws {
        try await withDatabase { db in
            try await db.sql.raw("CREATE TABLE t (s TEXT, n INTEGER, x REAL, b BLOB, z TEXT)").run()
            let text = "a\u{0}b — é 😀"
            try await db.sql.raw("INSERT INTO t VALUES (\(bind: text), \(bind: Int64.max), \(bind: 2.5), \(bind: Data([0, 1, 255])), \(bind: String?.none))").run()
            let row = try #require(try await db.sql.raw("SELECT * FROM t").first())
            #expect(try row.decode(column: "s", as: String.self) == text)
            #expect(try row.decode(column: "n", as: Int64.self) == Int64.max)
            #expect(try row.decode(column: "n", as: Int64?.self) == Int64.max)
            #expect(try row.decode(column: "x", as: Double.self) == 2.5)
            #expect(try row.decode(column: "b", as: Data.self) == Data([0, 1, 255]))
            #expect(try row.decode(column: "z", as: String?.self) == nil)
            #expect(try row.decodeNil(column: "z"))
            // Types the direct path does not take still decode through SQLiteKit's decoder.
            #expect(try row.decode(column: "n", as: UInt64.self) == UInt64(Int64.max))
            #expect(throws: (any Error).self) { try row.decode(column: "s", as: Int.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "missing", as: String.self) }
            #expect(row.allColumns == ["s", "n", "x", "b", "z"])
        }
    }

    @Test("rows decode the column types the stores use, on this suite's backend too")
    func backendRows() async throws {
        try await withDatabase(suiteBackend: true) { db in
            let table = "rows_\(UUID().uuidString.prefix(8).lowercased())"
            let (boolean, real) = db.kind == .postgres ? ("BOOLEAN", "DOUBLE PRECISION") : ("INTEGER", "REAL")
            try await db.sql.raw("CREATE TABLE \(unsafeRaw: table) (s TEXT, n BIGINT, i INTEGER, b \(unsafeRaw: boolean), x \(unsafeRaw: real), z TEXT)").run()
            let text = "O'Brien; DROP TABLE x; -- é 😀"
            try await db.sql.raw("INSERT INTO \(unsafeRaw: table) VALUES (\(bind: text), \(bind: Int64.min), \(bind: 42), \(bind: true), \(bind: -0.5), \(bind: String?.none))").run()
            let row = try #require(try await db.sql.raw("SELECT * FROM \(unsafeRaw: table)").first())
            #expect(try row.decode(column: "s", as: String.self) == text)
            #expect(try row.decode(column: "s", as: String?.self) == text)
            #expect(try row.decode(column: "n", as: Int64.self) == Int64.min)
            #expect(try row.decode(column: "i", as: Int.self) == 42)
            #expect(try row.decode(column: "i", as: Int?.self) == 42)
            #expect(try row.decode(column: "b", as: Bool.self))
            #expect(try row.decode(column: "x", as: Double.self) == -0.5)
            #expect(try row.decode(column: "z", as: String?.self) == nil)
            #expect(try row.decode(column: "z", as: Int64?.self) == nil)
            #expect(try row.decodeNil(column: "z"))
            #expect(!(try row.decodeNil(column: "s")))
            // Types outside the direct path still decode through the driver's decoder.
            #expect(try row.decode(column: "i", as: Int32.self) == 42)
            #expect(throws: (any Error).self) { try row.decode(column: "s", as: Int64.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "nope", as: String.self) }
            try await db.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }

    @Test("a cached SELECT * sees a column added after it was first run")
    func schemaChange() async throws {
        try await withDatabase { db in
            try await db.sql.raw("CREATE TABLE t (a INTEGER)").run()
            try await db.sql.raw("INSERT INTO t VALUES (1)").run()
            #expect(try await db.sql.raw("SELECT * FROM t").first()?.allColumns == ["a"])
            try await db.sql.raw("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'").run()
            let row = try #require(try await db.sql.raw("SELECT * FROM t").first())
            #expect(row.allColumns == ["a", "b"])
            #expect(try row.decode(column: "b", as: String.self) == "x")
        }
    }

    @Test("errors name the problem, unique violations are recognised, and the connection stays usable")
    func errors() async throws {
        try await withDatabase { db in
            try await db.sql.raw("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT UNIQUE)").run()
            try await db.sql.raw("INSERT INTO t VALUES ('a', 'x')").run()
            do {
                try await db.sql.raw("INSERT INTO t VALUES ('b', 'x')").run()
                Issue.record("a duplicate value was accepted")
            } catch {
                #expect(Database.isUniqueViolation(error))
                #expect("\(error)".contains("UNIQUE"))
            }
            do {
                try await db.sql.raw("INSERT INTO t VALUES ('a', 'y')").run()
                Issue.record("a duplicate key was accepted")
            } catch {
                #expect(Database.isUniqueViolation(error))
            }
            await #expect(throws: (any Error).self) { try await db.sql.raw("SELEKT 1").run() }
            // A failed statement inside a transaction rolls it back; the same cached statement then runs again.
            await #expect(throws: (any Error).self) {
                try await db.transaction { tx in
                    try await tx.raw("INSERT INTO t VALUES ('c', 'z')").run()
                    try await tx.raw("INSERT INTO t VALUES ('a', 'q')").run()
                }
            }
            let keys = try await db.sql.raw("SELECT k FROM t ORDER BY k").all().map { try $0.decode(column: "k", as: String.self) }
            #expect(keys == ["a"])
            try await db.sql.raw("INSERT INTO t VALUES ('c', 'z')").run()
            #expect(try await db.sql.raw("SELECT COUNT(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) == 2)
        }
    }

    @Test("a statement in a transaction sees the transaction's own writes; a read outside sees only committed ones")
    func isolation() async throws {
        try await withDatabase(capacity: 2) { db in
            try await db.sql.raw("CREATE TABLE t (n INTEGER)").run()
            let seen = try await db.transaction { tx -> [Int] in
                try await tx.raw("INSERT INTO t VALUES (1)").run()
                let inside = try await tx.raw("SELECT COUNT(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) ?? -1
                let outside = try await db.sql.raw("SELECT COUNT(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) ?? -1
                return [inside, outside]
            }
            #expect(seen == [1, 0])
            #expect(try await db.sql.raw("SELECT COUNT(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) == 1)
        }
    }

    @Test("only plain SELECTs (no search, no count) run on the caller's thread")
    func readDetection() {
        #expect(SQLiteHandle.isRead("SELECT 1"))
        #expect(SQLiteHandle.isRead("\n  select id FROM t"))
        #expect(!SQLiteHandle.isRead("SELECTED"))
        #expect(!SQLiteHandle.isRead("INSERT INTO t SELECT 1"))
        #expect(!SQLiteHandle.isRead("WITH x AS (SELECT 1) DELETE FROM t"))
        #expect(!SQLiteHandle.isRead("BEGIN IMMEDIATE"))
        #expect(!SQLiteHandle.isRead(""))
        // Searches and counts may run long: they stay off the caller's thread.
        #expect(!SQLiteHandle.isRead("SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?1"))
        #expect(!SQLiteHandle.isRead("SELECT x FROM s WHERE s\nmatch ?1"))
        #expect(!SQLiteHandle.isRead("SELECT COUNT(*) AS n FROM t"))
        #expect(!SQLiteHandle.isRead("select count(1) from t"))
        #expect(SQLiteHandle.isRead("SELECT matches, counted FROM t WHERE mcount = 1"))
    }

    @Test("more callers than connections wait their turn, and every one is served")
    func poolWaiters() async throws {
        // One connection per event loop: fewer connections than the 40 concurrent sessions below.
        try await withDatabase(capacity: 1) { db in
            try await db.sql.raw("CREATE TABLE t (n INTEGER)").run()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        try await db.transaction { tx in
                            try await tx.raw("INSERT INTO t VALUES (\(bind: n))").run()
                        }
                        _ = try await db.sql.raw("SELECT COUNT(*) AS n FROM t").first()
                    }
                }
                try await group.waitForAll()
            }
            let total = try await db.sql.raw("SELECT COUNT(*) AS n, SUM(n) AS s FROM t").first()
            #expect(try total?.decode(column: "n", as: Int.self) == 40)
            #expect(try total?.decode(column: "s", as: Int.self) == (0..<40).reduce(0, +))
        }
    }
}
