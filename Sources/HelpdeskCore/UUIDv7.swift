import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): sortable by creation, so they make good keys and cursors.
///
/// Within one process they are strictly increasing even inside one millisecond (and under a stopped test
/// clock): the 12 bits after the timestamp count up (RFC 9562 §6.2, method 1), so comments and users listed
/// by id come out in the order they were made.
public enum UUIDv7 {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var lastMillis: UInt64 = 0
        var counter: UInt16 = 0
    }

    private static let state = State()

    /// A new version 7 UUID for the given instant (or just after the previous one, if that was later).
    public static func make(at date: Date = Date()) -> UUID {
        var millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let counter: UInt16 = state.lock.withLock {
            if millis > state.lastMillis {
                state.lastMillis = millis
                state.counter = UInt16.random(in: 0...0x3FF)   // leaves room to count up
            } else {
                millis = state.lastMillis
                if state.counter >= 0xFFF {
                    state.lastMillis += 1
                    millis = state.lastMillis
                    state.counter = 0
                } else {
                    state.counter += 1
                }
            }
            return state.counter
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8((millis >> (8 * (5 - UInt64(i)))) & 0xFF) }
        bytes[6] = 0x70 | UInt8((counter >> 8) & 0x0F)
        bytes[7] = UInt8(counter & 0xFF)
        var random = SystemRandomNumberGenerator()
        for i in 8..<16 { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension UUID {
    /// The lowercase string form used in the API and in storage.
    public var lowercased: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        appendLowercased(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The canonical lowercase form, appended as UTF-8 (no intermediate strings: ids are written on every row).
    public func appendLowercased(to bytes: inout [UInt8]) {
        let hex = UUID.hexDigits
        withUnsafeBytes(of: uuid) { raw in
            for (i, byte) in raw.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    /// Parses the canonical 36-character form (either case) without `sscanf`, which `UUID(uuidString:)` uses on
    /// Linux and which showed in profiles of every list. Nil for anything else.
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8(parse(utf8:))
    }

    /// `parse(_:)` for a slice (the generic path was a tenth of a ticket list: unspecialized across modules).
    public static func parse(_ text: Substring) -> UUID? {
        var text = text
        return text.withUTF8(parse(utf8:))
    }

    /// Parses the canonical form from UTF-8 bytes.
    public static func parse(utf8 text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        @inline(__always) func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        let ok: Bool = withUnsafeMutableBytes(of: &bytes) { out in
            var at = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    guard text[at] == UInt8(ascii: "-") else { return false }
                    at += 1
                }
                guard let hi = nibble(text[at]), let lo = nibble(text[at + 1]) else { return false }
                out[i] = hi << 4 | lo
                at += 2
            }
            return true
        }
        return ok ? UUID(uuid: bytes) : nil
    }
}
