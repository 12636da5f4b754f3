import NIOConcurrencyHelpers
import PostgresNIO

/// Names for statements that PostgreSQL should parse and plan once per connection.
///
/// PostgresNIO sends an ordinary query as an unnamed statement, which PostgreSQL parses, analyzes and plans on
/// every call: about a third of its CPU under `ticket_create` and `ticket_list`. A named statement is prepared
/// the first time a connection runs it and reused after. Each distinct text (with its parameter types) gets a
/// name; texts beyond `capacity` run unnamed, so statements built with varying text (IN lists, inlined limits)
/// cannot grow every connection's set of prepared statements without bound.
final class PostgresStatementNames: Sendable {
    static let shared = PostgresStatementNames(capacity: 256)

    private let capacity: Int
    private let names = NIOLockedValueBox<(byKey: [Key: String], issued: Int)>(([:], 0))

    private struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    init(capacity: Int) { self.capacity = capacity }

    /// The statement's name, or nil when it should run unnamed: the set is full, or the statement sorts or
    /// searches text. PostgreSQL may run a named statement with a plan made for no particular values; for
    /// lookups by key and writes that plan is as good and saves planning, but a sorted page's best plan depends
    /// on how common its values are. Measured after 18,000 untagged tickets were created: the view of one tag
    /// took 239 ms with the plan made without values, 47 ms planned with it. Text searches depend on their words
    /// the same way, so both are planned each time with their values.
    func name(sql: String, types: [PostgresDataType]) -> String? {
        guard !sql.contains("ORDER BY"), !sql.contains("@@") else { return nil }
        let key = Key(sql: sql, types: types.map(\.rawValue))
        return names.withLockedValue { names in
            if let name = names.byKey[key] { return name }
            guard names.byKey.count < capacity else { return nil }
            names.issued += 1
            let name = "helpdesk_\(names.issued)"
            names.byKey[key] = name
            return name
        }
    }

    /// Gives the statement a new name, so every connection prepares it again. For a statement whose result
    /// columns changed under it (another process migrated the table): PostgreSQL then refuses to run the old
    /// one ("cached plan must not change result type") for as long as the connection lives.
    func rename(sql: String, types: [PostgresDataType], from stale: String) -> String {
        let key = Key(sql: sql, types: types.map(\.rawValue))
        return names.withLockedValue { names in
            // Several calls can meet the same stale name at once; only the first issues a new one.
            if let current = names.byKey[key], current != stale { return current }
            names.issued += 1
            let name = "helpdesk_\(names.issued)"
            names.byKey[key] = name
            return name
        }
    }

    /// Whether `error` is PostgreSQL's refusal to run a prepared statement whose result type changed.
    static func isStale(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "0A000"
    }

    /// Whether `error` may have come from preparing the statement rather than running it: a missing table,
    /// column, function or schema (SQLSTATE classes 42 and 3F), as before a migration another process runs.
    static func mayHaveFailedPreparation(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("42") || state.hasPrefix("3F")
    }
}

/// A statement whose name, text and parameter types are chosen at run time.
///
/// PostgresNIO's prepared statements (the path that prepares once per connection) take these from static
/// members of the statement's type; here they read a task-local value that `PostgresDirectDatabase` sets around
/// each call. PostgresNIO reads them synchronously when the call starts, and again, within the same call, to
/// describe an error.
struct NamedStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        let name: String
        let sql: String
        let types: [PostgresDataType]
    }

    @TaskLocal static var text = Text(name: "", sql: "", types: [])

    static var name: String { text.name }
    static var sql: String { text.sql }
    static var bindingDataTypes: [PostgresDataType] { text.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
