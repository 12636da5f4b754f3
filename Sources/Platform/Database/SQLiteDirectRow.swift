import SQLKit
import SQLiteKit
import SQLiteNIO

/// An `SQLRow` over an `SQLiteRow` that converts the column types the stores read (text, integers, reals,
/// booleans and their optionals) directly; anything else goes through SQLiteKit's decoder.
///
/// SQLiteKit's own row sends every value through a dynamic cast and, for optionals, a `Decoder`: a ticket list
/// spent a tenth of its time there.
struct SQLiteDirectRow: SQLRow {
    let row: SQLiteRow
    static let fallback = SQLiteDataDecoder()

    var allColumns: [String] { row.columns.map(\.name) }

    func contains(column: String) -> Bool { row.column(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let data = row.column(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = row.column(column) else { throw MissingSQLiteColumn(column: column) }
        if let value = Self.direct(data, as: D.self) { return value }
        return try Self.fallback.decode(D.self, from: data)
    }

    /// The value for the common types, or nil to let the decoder try (and report a mismatch). Each cast is an
    /// identity: it runs only when `D` is that very type.
    @inline(__always)
    static func direct<D>(_ data: SQLiteData, as type: D.Type) -> D? {
        switch data {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(String?.some(text), to: D.self) }
        case .integer(let n):
            if D.self == Int64.self { return unsafeBitCast(Int64(n), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(n), to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.some(Int64(n)), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.some(Int(n)), to: D.self) }
            if D.self == Bool.self, n == 0 || n == 1 { return unsafeBitCast(n == 1, to: D.self) }
            if D.self == Double.self { return unsafeBitCast(Double(n), to: D.self) }
        case .float(let x):
            if D.self == Double.self { return unsafeBitCast(x, to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
        case .blob:
            break
        }
        return nil
    }
}

struct MissingSQLiteColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column named \(column) in the result" }
}
