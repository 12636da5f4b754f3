import SQLKit
import SQLiteKit
import SQLiteNIO

/// A row read by `SQLiteHandle`. It converts the column types the stores read (text, integers, reals, booleans
/// and their optionals) directly; anything else goes through SQLiteKit's decoder.
///
/// SQLiteKit's own row sends every value through a dynamic cast and, for optionals, a `Decoder`: a ticket list
/// spent a tenth of its time there.
struct SQLiteDirectRow: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteData]
    static let fallback = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func column(_ name: String) -> SQLiteData? { columns.index[name].map { values[$0] } }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let data = self.column(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = self.column(column) else { throw MissingSQLiteColumn(column: column) }
        if let value = Self.direct(data, as: D.self) { return value }
        return try Self.fallback.decode(D.self, from: data)
    }

    /// The value for the common types, or nil to let the decoder try (and report a mismatch). Each cast is an
    /// identity: it runs only when `D` is that very type.
    @inline(__always)
    static func direct<D>(_ data: SQLiteData, as type: D.Type) -> D? {
        // Optional metatypes compared by identity from statics: spelling `String?.self` here fetched generic
        // metadata on every call.
        let d = ObjectIdentifier(D.self)
        switch data {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if d == Types.optionalString { return unsafeBitCast(String?.some(text), to: D.self) }
        case .integer(let n):
            if D.self == Int64.self { return unsafeBitCast(Int64(n), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(n), to: D.self) }
            if d == Types.optionalInt64 { return unsafeBitCast(Int64?.some(Int64(n)), to: D.self) }
            if d == Types.optionalInt { return unsafeBitCast(Int?.some(Int(n)), to: D.self) }
            if D.self == Bool.self, n == 0 || n == 1 { return unsafeBitCast(n == 1, to: D.self) }
            if D.self == Double.self { return unsafeBitCast(Double(n), to: D.self) }
        case .float(let x):
            if D.self == Double.self { return unsafeBitCast(x, to: D.self) }
        case .null:
            if d == Types.optionalString { return unsafeBitCast(String?.none, to: D.self) }
            if d == Types.optionalInt64 { return unsafeBitCast(Int64?.none, to: D.self) }
            if d == Types.optionalInt { return unsafeBitCast(Int?.none, to: D.self) }
        case .blob:
            break
        }
        return nil
    }

    private enum Types {
        static let optionalString = ObjectIdentifier(String?.self)
        static let optionalInt64 = ObjectIdentifier(Int64?.self)
        static let optionalInt = ObjectIdentifier(Int?.self)
    }
}

struct MissingSQLiteColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column named \(column) in the result" }
}
