import Foundation

/// A value that writes its own JSON, byte for byte what `EventJSON.encoder()` (sorted keys, RFC 3339 dates with
/// milliseconds, unescaped slashes) would produce, without going through `Encoder`: the hot responses (ticket
/// lists and reads) spent a quarter of their time in generic encoding.
public protocol JSONWritable: Encodable {
    /// Writes the value; object keys must come in sorted order.
    func writeJSON(to out: inout JSONOutput)
}

/// An append-only JSON byte buffer with comma bookkeeping.
public struct JSONOutput {
    public private(set) var bytes: [UInt8] = []
    /// One entry per open object or array: whether the next member needs a comma first.
    private var needsComma: [Bool] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// True right after a key: the next value belongs to it and takes no comma.
    private var afterKey = false

    /// Called before every value (scalar, object or array): writes the comma that separates it from the previous one.
    private mutating func beginValue() {
        if afterKey { afterKey = false; return }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    public mutating func beginObject() { beginValue(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { beginValue(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// An object key; the value written next belongs to it.
    public mutating func key(_ name: String) {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) { beginValue(); writeString(value) }
    public mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    public mutating func null() { beginValue(); bytes.append(contentsOf: [110, 117, 108, 108]) }
    public mutating func bool(_ value: Bool) {
        beginValue()
        bytes.append(contentsOf: value ? [116, 114, 117, 101] : [102, 97, 108, 115, 101])
    }
    public mutating func int(_ value: Int) { beginValue(); bytes.append(contentsOf: String(value).utf8) }

    /// Numbers as `JSONEncoder` writes them: integral values without a fraction.
    public mutating func double(_ value: Double) {
        beginValue()
        if value.isFinite, value.rounded() == value, abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: "\(value)".utf8)
        }
    }

    /// A UUID in lowercase, as every API id.
    public mutating func uuid(_ value: UUID) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        value.appendLowercased(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
    public mutating func uuid(_ value: UUID?) { if let value { uuid(value) } else { null() } }

    /// `2026-01-31T09:15:00.123Z`.
    public mutating func date(_ value: Date) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        Self.writeRFC3339(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
    public mutating func date(_ value: Date?) { if let value { date(value) } else { null() } }

    public mutating func value(_ value: some JSONWritable) { value.writeJSON(to: &self) }

    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy them whole (scanning the contiguous bytes, not the generic view).
        var value = value
        let plain = value.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 0x0A: bytes.append(contentsOf: [92, 110])
            case 0x0D: bytes.append(contentsOf: [92, 114])
            case 0x09: bytes.append(contentsOf: [92, 116])
            case 0x08: bytes.append(contentsOf: [92, 98])
            case 0x0C: bytes.append(contentsOf: [92, 102])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Civil date from days since 1970 (Howard Hinnant's algorithm), then fixed-width fields.
    static func writeRFC3339(_ date: Date, into bytes: inout [UInt8]) {
        // Split as Foundation's ISO 8601 style does (from the 2001 reference date), so the milliseconds agree to
        // the last digit: whole seconds, then the truncated fraction.
        let reference = date.timeIntervalSinceReferenceDate
        let wholeSeconds = reference.rounded(.down)
        let fraction = Int64(((reference - wholeSeconds) * 1000).rounded(.down))
        let millis = (Int64(wholeSeconds) + 978_307_200) * 1000 + fraction
        var days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let msOfDay = millis - days * 86_400_000
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                bytes.append(UInt8(48 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); bytes.append(45); digits(month, 2); bytes.append(45); digits(day, 2)
        bytes.append(84)
        digits(msOfDay / 3_600_000, 2); bytes.append(58)
        digits(msOfDay / 60_000 % 60, 2); bytes.append(58)
        digits(msOfDay / 1000 % 60, 2); bytes.append(46)
        digits(msOfDay % 1000, 3)
        bytes.append(90)
    }
}

extension JSONValue: JSONWritable {
    public func writeJSON(to out: inout JSONOutput) {
        switch self {
        case .null: out.null()
        case .bool(let b): out.bool(b)
        case .number(let n): out.double(n)
        case .string(let s): out.string(s)
        case .array(let items):
            out.beginArray()
            for item in items { item.writeJSON(to: &out) }
            out.endArray()
        case .object(let members):
            out.beginObject()
            for key in members.keys.sorted() {
                out.key(key)
                members[key]!.writeJSON(to: &out)
            }
            out.endObject()
        }
    }
}

extension Page: JSONWritable where Item: JSONWritable {
    public func writeJSON(to out: inout JSONOutput) {
        out.beginObject()
        out.key("items")
        out.beginArray()
        for item in items { item.writeJSON(to: &out) }
        out.endArray()
        out.key("next_cursor")
        out.string(nextCursor)
        out.endObject()
    }
}
