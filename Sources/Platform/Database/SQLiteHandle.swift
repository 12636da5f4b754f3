import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection on the C API, with its prepared statements kept for reuse.
///
/// SQLiteNIO prepares every statement anew and hops to the event loop once per row; on a ticket list those were
/// a tenth of the time. Here a statement runs start to finish on a thread of the blocking pool, rows go straight
/// to the caller, and the compiled statement stays cached by its SQL text. Calls on one handle are serialized by
/// its lock (a session may run statements concurrently by mistake; they then queue rather than interleave).
final class SQLiteHandle: @unchecked Sendable {
    private let lock = NIOLock()
    private var db: OpaquePointer?
    private var statements: [String: CachedStatement] = [:]
    private let threadPool: NIOThreadPool
    /// Enough for the distinct statements a process runs again and again; past it one is dropped at random.
    private static let cacheLimit = 256
    // The library's one-time set-up must not race with a first open elsewhere.
    private static let initialized: Void = { _ = sqlite_nio_sqlite3_initialize() }()

    private final class CachedStatement {
        let pointer: OpaquePointer
        var columns: SQLiteColumns
        var prepareCount: Int32
        init(pointer: OpaquePointer, columns: SQLiteColumns, prepareCount: Int32) {
            self.pointer = pointer
            self.columns = columns
            self.prepareCount = prepareCount
        }
    }

    private init(db: OpaquePointer, threadPool: NIOThreadPool) {
        self.db = db
        self.threadPool = threadPool
    }

    /// Opens (creating if needed) the file at `path` in WAL mode with foreign keys on and a busy timeout, so
    /// writers in other processes wait for the lock instead of failing.
    static func open(path: String, busyTimeoutMilliseconds: Int32, threadPool: NIOThreadPool) async throws -> SQLiteHandle {
        try await threadPool.runIfActive {
            _ = initialized
            var db: OpaquePointer?
            let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let rc = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
            guard rc == SQLITE_OK, let db else {
                let message = db.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
                if let db { sqlite_nio_sqlite3_close(db) }
                throw SQLiteFailure(code: rc, message: "\(message) (\(path))")
            }
            let handle = SQLiteHandle(db: db, threadPool: threadPool)
            do {
                _ = sqlite_nio_sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
                for pragma in ["PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"] {
                    try handle.runLocked(pragma, []) { _ in }
                }
            } catch {
                handle.closeLocked()
                throw error
            }
            return handle
        }
    }

    /// Runs `sql` with `binds`, handing each row to `onRow` in order: on a thread of the blocking pool, or with
    /// `inline`, on the caller's thread.
    ///
    /// Inline is for reads outside a transaction: in WAL mode they never wait for a lock, only compute, and the
    /// two thread switches of the pool cost more than a read by key (a third of `ticket_get`'s time was futex
    /// waits and wake-ups). Writes may wait out another process's lock (`busy_timeout`), so they keep off the
    /// caller's thread.
    func query(_ sql: String, _ binds: [SQLiteData], inline: Bool = false,
               _ onRow: @escaping @Sendable (SQLiteDirectRow) -> Void) async throws {
        if inline { return try runLocked(sql, binds, onRow) }
        try await threadPool.runIfActive { try self.runLocked(sql, binds, onRow) }
    }

    /// True for a statement that only reads (a `SELECT`) and is not a search or a count, which `query` may run
    /// inline. Searches (`MATCH`) and counts can take tens of milliseconds: they stay on the blocking pool rather
    /// than hold one of the few cooperative threads.
    static func isRead(_ sql: String) -> Bool {
        var sql = sql
        return sql.withUTF8 { utf8 in
            var i = 0
            while i < utf8.count, utf8[i] == 0x20 || utf8[i] == 0x0A || utf8[i] == 0x09 || utf8[i] == 0x0D { i += 1 }
            guard utf8.count - i > 6, matches(utf8, at: i, "select") else { return false }
            let next = utf8[i + 6]
            guard next == 0x20 || next == 0x0A || next == 0x09 || next == 0x0D else { return false }
            for j in i..<utf8.count where utf8[j] | 0x20 == UInt8(ascii: "m") || utf8[j] | 0x20 == UInt8(ascii: "c") {
                if matches(utf8, at: j, " match ") || matches(utf8, at: j, "count(") { return false }
            }
            return true
        }
    }

    /// Whether `utf8` holds `word` (lowercase ASCII) at `offset`, ignoring case. Tests from one byte before, so
    /// a word that starts with a space is found by its first letter.
    private static func matches(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, _ word: StaticString) -> Bool {
        let start = word.utf8Start.pointee == 0x20 ? offset - 1 : offset
        guard start >= 0, start + word.utf8CodeUnitCount <= utf8.count else { return false }
        for k in 0..<word.utf8CodeUnitCount {
            let expected = word.utf8Start[k]
            let actual = utf8[start + k]
            if expected == 0x20 {
                guard actual == 0x20 || actual == 0x0A || actual == 0x09 || actual == 0x0D else { return false }
            } else if actual | 0x20 != expected {
                return false
            }
        }
        return true
    }

    func close() async {
        _ = try? await threadPool.runIfActive { self.closeLocked() }
    }

    private func closeLocked() {
        lock.withLock {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
            statements.removeAll()
            if let db { sqlite_nio_sqlite3_close_v2(db) }
            db = nil
        }
    }

    private func runLocked(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteDirectRow) -> Void) throws {
        try lock.withLock {
            guard let db else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try prepared(sql, db: db)
            let pointer = statement.pointer
            // Reset even on failure: a statement left mid-way keeps its read snapshot and blocks checkpoints.
            // Bindings are not cleared: every run binds every parameter again, and clearing them marks a
            // statement whose plan looked at a bound value as expired, to be compiled again on its next step.
            defer { sqlite_nio_sqlite3_reset(pointer) }
            guard Int(sqlite_nio_sqlite3_bind_parameter_count(pointer)) == binds.count else {
                throw SQLiteFailure(code: SQLITE_RANGE, message: "\(binds.count) values for \(sqlite_nio_sqlite3_bind_parameter_count(pointer)) parameters")
            }
            for (i, value) in binds.enumerated() {
                let rc = Self.bind(value, at: Int32(i + 1), to: pointer)
                guard rc == SQLITE_OK else { throw failure(rc, db: db) }
            }
            // A schema change recompiles the statement inside step, and `SELECT *` may then name other columns.
            let count = sqlite_nio_sqlite3_column_count(pointer)
            while true {
                let rc = sqlite_nio_sqlite3_step(pointer)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw failure(rc, db: db) }
                let prepares = sqlite_nio_sqlite3_stmt_status(pointer, SQLITE_STMTSTATUS_REPREPARE, 0)
                if prepares != statement.prepareCount || statement.columns.names.count != Int(count) {
                    statement.columns = SQLiteColumns(pointer)
                    statement.prepareCount = prepares
                }
                var values: [SQLiteData] = []
                values.reserveCapacity(statement.columns.names.count)
                for column in 0..<Int32(statement.columns.names.count) {
                    values.append(Self.value(pointer, column))
                }
                onRow(SQLiteDirectRow(columns: statement.columns, values: values))
            }
        }
    }

    private func prepared(_ sql: String, db: OpaquePointer) throws -> CachedStatement {
        if let cached = statements[sql] { return cached }
        if statements.count >= Self.cacheLimit, let victim = statements.keys.randomElement() {
            // One out, not all: statements with values written into their text (LIMIT, IN lists) come and go,
            // and clearing everything would recompile the hot ones too.
            if let evicted = statements.removeValue(forKey: victim) { sqlite_nio_sqlite3_finalize(evicted.pointer) }
        }
        var pointer: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard rc == SQLITE_OK else { throw failure(rc, db: db) }
        guard let pointer else {
            // Only a comment or whitespace: nothing to run. Not cached (there is no statement).
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "no statement in: \(sql.prefix(100))")
        }
        let statement = CachedStatement(pointer: pointer, columns: SQLiteColumns(pointer),
                                        prepareCount: sqlite_nio_sqlite3_stmt_status(pointer, SQLITE_STMTSTATUS_REPREPARE, 0))
        statements[sql] = statement
        return statement
    }

    private func failure(_ rc: Int32, db: OpaquePointer) -> SQLiteFailure {
        SQLiteFailure(code: sqlite_nio_sqlite3_extended_errcode(db),
                      message: sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "SQLite error \(rc)")
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let n): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(n))
        case .float(let x): return sqlite_nio_sqlite3_bind_double(statement, index, x)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(var text):
            return text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { chars in
                    guard let start = chars.baseAddress, !chars.isEmpty else {
                        return sqlite_nio_sqlite3_bind_text64(statement, index, "", 0, transient, UInt8(SQLITE_UTF8))
                    }
                    return sqlite_nio_sqlite3_bind_text64(statement, index, start, UInt64(chars.count), transient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes { bytes in
                sqlite_nio_sqlite3_bind_blob64(statement, index, bytes.baseAddress, UInt64(bytes.count), transient)
            }
        }
    }

    private static func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            // Length from SQLite rather than a C-string scan: a NUL inside the text is kept.
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }
}

/// A statement's result column names and where each name is first found.
final class SQLiteColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ statement: OpaquePointer) {
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = (0..<count).map { column in
            sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
        }
        self.names = names
        self.index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// An SQLite error with its extended result code (2067 is a UNIQUE constraint, 1555 a primary key).
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
    public var isUniqueViolation: Bool { code == 2067 || code == 1555 }
}
