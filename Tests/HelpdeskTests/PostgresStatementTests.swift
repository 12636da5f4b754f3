import Foundation
import Logging
import NIOPosix
@testable import Platform
import PostgresKit
import SQLKit
import Testing

/// Statements outside transactions run as named prepared statements on PostgreSQL: parsed once per connection,
/// with the same results as before, whatever the values, errors or schema changes in between.
@Suite("PostgreSQL named statements")
struct PostgresStatementTests {
    @Test("a statement text and its parameter types get one name; other types another; past capacity none")
    func names() {
        let names = PostgresStatementNames(capacity: 2)
        let a = names.name(sql: "SELECT $1", types: [.text])
        #expect(a != nil)
        #expect(names.name(sql: "SELECT $1", types: [.text]) == a)
        let b = names.name(sql: "SELECT $1", types: [.int8])
        #expect(b != nil && b != a, "a NULL or another type is another statement")
        #expect(names.name(sql: "SELECT 2", types: []) == nil, "full: runs unnamed")
        let roomy = PostgresStatementNames(capacity: 10)
        #expect(roomy.name(sql: "SELECT id FROM t WHERE w = $1 ORDER BY id DESC LIMIT 26", types: [.text]) == nil,
                "sorted pages are planned with their values")
        #expect(roomy.name(sql: "SELECT id FROM s WHERE tsv @@ websearch_to_tsquery($1)", types: [.text]) == nil,
                "so are text searches")
        let renamed = names.rename(sql: "SELECT $1", types: [.text], from: a!)
        #expect(renamed != a && renamed != b)
        #expect(names.rename(sql: "SELECT $1", types: [.text], from: a!) == renamed, "a second caller with the stale name gets the same new one")
        #expect(names.name(sql: "SELECT $1", types: [.text]) == renamed)
    }

    @Test("one connection prepares once; values, NULLs, errors, a changed or missing table leave results right",
          .enabled(if: TestBackend.postgresURL != nil))
    func preparedOnPostgres() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let logger = { var l = Logger(label: "test"); l.logLevel = .critical; return l }()
        let database = try Database(url: .postgres(url: TestBackend.postgresURL!), maxConnectionsPerEventLoop: 1,
                                    logger: logger, eventLoopGroup: group)
        let table = "named_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        do {
            let db = database.sql
            let parallel = try await db.raw("SELECT current_setting('max_parallel_workers_per_gather') AS v").first()
            #expect(try parallel?.decode(column: "v", as: String.self) == "0", "sessions run without parallel workers")
            try await db.raw("CREATE TABLE \(unsafeRaw: table) (id BIGINT PRIMARY KEY, name TEXT, n INTEGER)").run()
            for id in 1...12 {
                let name: String? = id % 3 == 0 ? nil : "n\(id) — é"
                try await db.raw("INSERT INTO \(unsafeRaw: table) (id, name, n) VALUES (\(bind: id), \(bind: name), \(bind: id * 10))").run()
            }
            // A unique violation fails that call only; the statement keeps working.
            await #expect(throws: (any Error).self) {
                try await db.raw("INSERT INTO \(unsafeRaw: table) (id, name, n) VALUES (\(bind: 5), \(bind: "dup"), \(bind: 0))").run()
            }
            try await db.raw("INSERT INTO \(unsafeRaw: table) (id, name, n) VALUES (\(bind: 13), \(bind: "after"), \(bind: 130))").run()

            let select: SQLQueryString = "SELECT * FROM \(unsafeRaw: table) WHERE id >= \(bind: 1)"
            for _ in 0..<7 { // past the five runs after which PostgreSQL may switch to a generic plan
                // No ORDER BY: sorted statements run unnamed, and this one must be named.
                let rows = try await db.raw(select).all()
                    .sorted { try $0.decode(column: "id", as: Int.self) < $1.decode(column: "id", as: Int.self) }
                #expect(rows.count == 13)
                #expect(try rows[1].decode(column: "name", as: String?.self) == "n2 — é")
                #expect(try rows[2].decode(column: "name", as: String?.self) == nil)
                #expect(try rows[12].decode(column: "n", as: Int.self) == 130)
            }
            let prepared = try await db.raw("""
                SELECT statement FROM pg_prepared_statements WHERE statement LIKE \(bind: "%" + table + "%")
                """).all().map { try $0.decode(column: "statement", as: String.self) }
            #expect(prepared.filter { $0.hasPrefix("INSERT") }.count == 1, "a nil String? binds as a text NULL: one statement")
            #expect(prepared.filter { $0.hasPrefix("SELECT *") }.count == 1)

            // Another process adds a column: the prepared SELECT * is refused by PostgreSQL, then prepared anew.
            try await db.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN extra TEXT DEFAULT 'x'").run()
            let after = try await db.raw(select).all()
            #expect(after.count == 13)
            #expect(try after[0].decode(column: "extra", as: String.self) == "x")

            // A statement first run before its table exists fails, and works once the table is there.
            let later = table + "_later"
            let probe: SQLQueryString = "SELECT count(*) AS n FROM \(unsafeRaw: later) WHERE id > \(bind: 0)"
            await #expect(throws: (any Error).self) { try await db.raw(probe).all() }
            try await db.raw("CREATE TABLE \(unsafeRaw: later) (id BIGINT PRIMARY KEY)").run()
            #expect(try await db.raw(probe).first()?.decode(column: "n", as: Int.self) == 0)
            try await db.raw("DROP TABLE \(unsafeRaw: later)").run()

            // Inside a transaction statements stay unnamed, and a failed one does not disturb the pool's.
            await #expect(throws: (any Error).self) {
                try await database.transaction { tx in
                    try await tx.raw("INSERT INTO \(unsafeRaw: table) (id, name, n) VALUES (\(bind: 14), \(bind: "t"), \(bind: 1))").run()
                    try await tx.raw("INSERT INTO \(unsafeRaw: table) (id, name, n) VALUES (\(bind: 1), \(bind: "dup"), \(bind: 1))").run()
                }
            }
            #expect(try await db.raw(select).all().count == 13, "the transaction rolled back")
            try await db.raw("DROP TABLE \(unsafeRaw: table)").run()
        } catch {
            await database.shutdown()
            try await group.shutdownGracefully()
            throw error
        }
        await database.shutdown()
        try await group.shutdownGracefully()
    }
}
