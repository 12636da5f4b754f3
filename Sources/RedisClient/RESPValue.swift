import NIOCore

/// A reply from Redis, in RESP2 or RESP3 form. RESP3-only types are kept distinct so callers can tell a map
/// from an array, but the accessors below read both protocols the same way.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString(ByteBuffer)
    case array([RESPValue])
    case null
    case double(Double)
    case boolean(Bool)
    case map([(RESPValue, RESPValue)])
    case push([RESPValue])

    public static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case let (.simpleString(a), .simpleString(b)), let (.error(a), .error(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.bulkString(a), .bulkString(b)): return a == b
        case let (.array(a), .array(b)), let (.push(a), .push(b)): return a == b
        case (.null, .null): return true
        case let (.double(a), .double(b)): return a == b
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.map(a), .map(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value as text: simple and bulk strings, integers and doubles.
    public var string: String? {
        switch self {
        case .simpleString(let s): return s
        case .bulkString(let b): return String(buffer: b)
        case .integer(let i): return String(i)
        case .double(let d): return String(d)
        default: return nil
        }
    }

    public var int: Int64? {
        switch self {
        case .integer(let i): return i
        case .simpleString, .bulkString: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// Arrays, sets, pushes, and maps flattened to `[k1, v1, k2, v2, …]` (how RESP2 sends them).
    public var array: [RESPValue]? {
        switch self {
        case .array(let a), .push(let a): return a
        case .map(let pairs): return pairs.flatMap { [$0.0, $0.1] }
        default: return nil
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A flat `[field, value, …]` reply (or a RESP3 map) as a dictionary of strings.
    public var fields: [String: String] {
        guard let items = array else { return [:] }
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string, let value = items[index + 1].string { result[key] = value }
            index += 2
        }
        return result
    }
}
