import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// An `SQLDatabase` over PostgreSQL whose rows decode the common column types straight from PostgresNIO's cells.
///
/// PostgresKit's rows send every value through a dynamic cast, a coding path and, for optionals, extra layers:
/// they were 30 % of the server's time on a ticket list. Binds are encoded as PostgresKit does; a statement with
/// a bind type the direct path does not know runs through PostgresKit unchanged.
struct PostgresDirectDatabase: AsyncSQLDatabase {
    /// The pool's or a connection's database.
    let database: any PostgresDatabase
    /// PostgresKit's own `SQLDatabase` over the same `database`, for what the direct path leaves to it.
    let standard: any SQLDatabase

    init(database: any PostgresDatabase) {
        self.database = database
        self.standard = database.sql(queryLogLevel: .trace)
    }

    var logger: Logger { database.logger }
    var eventLoop: any EventLoop { database.eventLoop }
    var dialect: any SQLDialect { standard.dialect }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            if (bind as Optional<Any>) == nil {
                bindings.appendNull()
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                try bindings.append(value, context: .default)
            } else {
                return try await standard.execute(sql: query, onRow)
            }
        }
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        _ = try await database.withConnection { connection in
            connection.query(.init(unsafeSQL: sql, binds: bindings), logger: connection.logger) { row in
                onRow(PostgresDirectRow(row: row))
            }
        }.get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await database.withConnection { connection in
            connection.eventLoop.makeFutureWithTask { try await closure(PostgresDirectDatabase(database: connection)) }
        }.get()
    }
}

/// A PostgreSQL row that decodes text, integers, booleans, reals and their optionals from the cell directly, and
/// anything else through PostgresKit's row.
struct PostgresDirectRow: SQLRow {
    let row: PostgresRow
    private let cells: PostgresRandomAccessRow

    init(row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    var allColumns: [String] { row.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard cells.contains(column) else { return true }
        return cells[column].bytes == nil
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard cells.contains(column) else { return try row.sql().decode(column: column, as: D.self) }
        let cell = cells[column]
        // Each branch runs only when `D` is that very type, so the casts are identities.
        let d = ObjectIdentifier(D.self)
        if D.self == String.self { return unsafeBitCast(try cell.decode(String.self), to: D.self) }
        if d == Types.optionalString { return unsafeBitCast(try cell.decode(String?.self), to: D.self) }
        if D.self == Int64.self { return unsafeBitCast(try cell.decode(Int64.self), to: D.self) }
        if D.self == Int.self { return unsafeBitCast(try cell.decode(Int.self), to: D.self) }
        if d == Types.optionalInt64 { return unsafeBitCast(try cell.decode(Int64?.self), to: D.self) }
        if d == Types.optionalInt { return unsafeBitCast(try cell.decode(Int?.self), to: D.self) }
        if D.self == Bool.self { return unsafeBitCast(try cell.decode(Bool.self), to: D.self) }
        // numeric (what AVG returns) needs PostgresKit's conversion.
        if D.self == Double.self, cell.dataType != .numeric { return unsafeBitCast(try cell.decode(Double.self), to: D.self) }
        return try row.sql().decode(column: column, as: D.self)
    }

    private enum Types {
        static let optionalString = ObjectIdentifier(String?.self)
        static let optionalInt64 = ObjectIdentifier(Int64?.self)
        static let optionalInt = ObjectIdentifier(Int?.self)
    }
}
