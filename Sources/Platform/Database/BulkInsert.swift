import SQLKit

/// `INSERT INTO table (columns) VALUES (…), (…), …` for many rows in one statement: the fast path of the data
/// seeder. Rows are split so no statement carries more than `maxBinds` bound values (SQLite allows 32,766).
public enum BulkInsert {
    public static let maxBinds = 30_000

    /// Inserts `rows` (each one value per column, in order) in as few statements as the bind limit allows.
    public static func run(into table: String, columns: [String], rows: [[any Encodable & Sendable]],
                           suffix: String = "", on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, maxBinds / max(1, columns.count))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var q = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
            for (i, row) in chunk.enumerated() {
                q.appendInterpolation(unsafeRaw: i == 0 ? "(" : ", (")
                for (j, value) in row.enumerated() {
                    if j > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                    q.appendInterpolation(bind: value)
                }
                q.appendInterpolation(unsafeRaw: ")")
            }
            if !suffix.isEmpty { q.appendInterpolation(unsafeRaw: " " + suffix) }
            try await db.raw(q).run()
            start += perStatement
        }
    }
}
