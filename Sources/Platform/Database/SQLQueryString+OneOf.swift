import SQLKit

extension SQLQueryString {
    /// Appends `<column> = ANY($1)` on PostgreSQL, with the values as one array parameter so the statement text
    /// is the same whatever their count (see `PostgresStatementNames`), or `<column> IN (…)` on SQLite.
    /// `values` must not be empty.
    public mutating func appendOneOf<Value: Encodable & Sendable>(_ column: String, _ values: [Value], kind: DatabaseKind) {
        if kind == .postgres {
            appendInterpolation(unsafeRaw: "\(column) = ANY(")
            appendInterpolation(bind: values)
        } else {
            appendInterpolation(unsafeRaw: "\(column) IN (")
            for (i, value) in values.enumerated() {
                if i > 0 { appendInterpolation(unsafeRaw: ", ") }
                appendInterpolation(bind: value)
            }
        }
        appendInterpolation(unsafeRaw: ")")
    }
}
