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

    /// Whether statements run as named prepared statements (see `PostgresStatementNames`). Only outside a
    /// session: PostgresNIO remembers a failed preparation for good on its connection, and inside a transaction
    /// any statement after an error fails to prepare.
    let prepares: Bool

    init(database: any PostgresDatabase, prepares: Bool) {
        self.database = database
        self.standard = database.sql(queryLogLevel: .trace)
        self.prepares = prepares
    }

    var logger: Logger { database.logger }
    var eventLoop: any EventLoop { database.eventLoop }
    var dialect: any SQLDialect { standard.dialect }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        for bind in binds {
            if (bind as Optional<Any>) == nil {
                bindings.appendNull()
                types.append(.null)
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                try bindings.append(value, context: .default)
                types.append(value.psqlType)
            } else {
                return try await standard.execute(sql: query, onRow)
            }
        }
        logger.trace("Executing query", metadata: ["sql": .string(sql)])
        if prepares, let name = PostgresStatementNames.shared.name(sql: sql, types: types) {
            do {
                return try await executeNamed(name, sql: sql, types: types, bindings: bindings, onRow)
            } catch where PostgresStatementNames.isStale(error) {
                // Nothing was returned: the refusal comes before the first row.
                let fresh = PostgresStatementNames.shared.rename(sql: sql, types: types, from: name)
                return try await executeNamed(fresh, sql: sql, types: types, bindings: bindings, onRow)
            } catch where PostgresStatementNames.mayHaveFailedPreparation(error) {
                // PostgresNIO keeps a failed preparation for the connection's life; under a new name the statement
                // is prepared again next time (once the missing table or column exists).
                _ = PostgresStatementNames.shared.rename(sql: sql, types: types, from: name)
                throw error
            }
        }
        _ = try await database.withConnection { connection in
            connection.query(.init(unsafeSQL: sql, binds: bindings), logger: connection.logger) { row in
                onRow(PostgresDirectRow(row: row))
            }
        }.get()
    }

    /// Runs the statement as the named prepared statement `name`, which the connection prepares on first use.
    private func executeNamed(_ name: String, sql: String, types: [PostgresDataType], bindings: PostgresBindings,
                              _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let text = NamedStatement.Text(name: name, sql: sql, types: types)
        let statement = NamedStatement(bindings: bindings)
        _ = try await database.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await NamedStatement.$text.withValue(text) {
                    for try await row in try await connection.execute(statement, logger: connection.logger) {
                        onRow(PostgresDirectRow(row: row))
                    }
                }
            }
        }.get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await database.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await closure(PostgresDirectDatabase(database: connection, prepares: false))
            }
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
