import NIOCore

/// Parses RESP2 and RESP3 replies. Returns nil when the buffer does not hold a whole value yet, leaving the
/// reader index where it was, so the decoder waits for more bytes.
enum RESPParser {
    /// Deepest nesting accepted; a hostile or broken server cannot exhaust the stack.
    static let maxDepth = 32

    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        let saved = buffer.readerIndex
        do {
            if let value = try parseValue(&buffer, depth: 0) { return value }
        } catch {
            buffer.moveReaderIndex(to: saved)
            throw error
        }
        buffer.moveReaderIndex(to: saved)
        return nil
    }

    private static func parseValue(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard depth < maxDepth else { throw RedisError.protocolViolation("reply nested too deeply") }
        guard let marker = buffer.readInteger(as: UInt8.self) else { return nil }
        switch marker {
        case UInt8(ascii: "+"):
            return try readLine(&buffer).map(RESPValue.simpleString)
        case UInt8(ascii: "-"), UInt8(ascii: "!"):
            if marker == UInt8(ascii: "!") { // RESP3 blob error
                guard let bytes = try readBlob(&buffer) else { return nil }
                return bytes.map { .error(String(buffer: $0)) } ?? .null
            }
            return try readLine(&buffer).map(RESPValue.error)
        case UInt8(ascii: ":"):
            guard let line = try readLine(&buffer) else { return nil }
            guard let value = Int64(line) else { throw RedisError.protocolViolation("bad integer \(line)") }
            return .integer(value)
        case UInt8(ascii: "$"), UInt8(ascii: "="):
            guard let bytes = try readBlob(&buffer) else { return nil }
            guard var bytes else { return .null }
            if marker == UInt8(ascii: "=") { bytes.moveReaderIndex(forwardBy: min(4, bytes.readableBytes)) } // "txt:"
            return .bulkString(bytes)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            guard let count = try readCount(&buffer) else { return nil }
            guard count >= 0 else { return .null }
            var items: [RESPValue] = []
            items.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let item = try parseValue(&buffer, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return marker == UInt8(ascii: ">") ? .push(items) : .array(items)
        case UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = try readCount(&buffer) else { return nil }
            var pairs: [(RESPValue, RESPValue)] = []
            for _ in 0..<max(count, 0) {
                guard let key = try parseValue(&buffer, depth: depth + 1),
                      let value = try parseValue(&buffer, depth: depth + 1) else { return nil }
                pairs.append((key, value))
            }
            // An attribute (`|`) annotates the value that follows; we keep only the value.
            if marker == UInt8(ascii: "|") { return try parseValue(&buffer, depth: depth + 1) }
            return .map(pairs)
        case UInt8(ascii: "_"):
            return try readLine(&buffer).map { _ in .null }
        case UInt8(ascii: "#"):
            return try readLine(&buffer).map { .boolean($0 == "t") }
        case UInt8(ascii: ","):
            guard let line = try readLine(&buffer) else { return nil }
            switch line {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            default:
                guard let value = Double(line) else { throw RedisError.protocolViolation("bad double \(line)") }
                return .double(value)
            }
        case UInt8(ascii: "("):
            return try readLine(&buffer).map(RESPValue.simpleString) // big number, kept as text
        default:
            throw RedisError.protocolViolation("unknown reply type byte \(marker)")
        }
    }

    /// Reads up to CRLF; nil when the line is not complete yet.
    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")) else {
            if view.count > 64 * 1024 { throw RedisError.protocolViolation("line too long") }
            return nil
        }
        guard cr + 1 < view.endIndex else { return nil }
        guard view[cr + 1] == UInt8(ascii: "\n") else { throw RedisError.protocolViolation("missing LF") }
        let length = cr - view.startIndex
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    private static func readCount(_ buffer: inout ByteBuffer) throws -> Int? {
        guard let line = try readLine(&buffer) else { return nil }
        guard let count = Int(line) else { throw RedisError.protocolViolation("bad length \(line)") }
        return count
    }

    /// A length-prefixed blob: `.some(nil)` for the RESP2 null bulk string, nil when incomplete.
    private static func readBlob(_ buffer: inout ByteBuffer) throws -> ByteBuffer?? {
        guard let length = try readCount(&buffer) else { return nil }
        if length < 0 { return .some(nil) }
        guard length <= 512 * 1024 * 1024 else { throw RedisError.protocolViolation("bulk string too large") }
        guard buffer.readableBytes >= length + 2 else { return nil }
        let bytes = buffer.readSlice(length: length)!
        guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw RedisError.protocolViolation("missing CRLF") }
        return .some(bytes)
    }
}

/// Writes commands as RESP arrays of bulk strings, the form Redis accepts for every command.
enum RESPWriter {
    static func write(_ command: [RESPArgument], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(command.count)\r\n")
        for argument in command {
            switch argument {
            case .string(let s):
                buffer.writeString("$\(s.utf8.count)\r\n")
                buffer.writeString(s)
            case .bytes(let b):
                buffer.writeString("$\(b.readableBytes)\r\n")
                buffer.writeImmutableBuffer(b)
            }
            buffer.writeStaticString("\r\n")
        }
    }
}

/// One argument of a command: text or raw bytes.
public enum RESPArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case bytes(ByteBuffer)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .string(String(value)) }
}
