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
        // For the counter's starting point only; the 62 random bits of each id come from the system generator,
        // so ids cannot be predicted from one another.
        var random = SplitMix64(seed: UInt64.random(in: .min ... .max))
    }

    private static let state = State()

    /// A new version 7 UUID for the given instant (or just after the previous one, if that was later).
    public static func make(at date: Date = Date()) -> UUID {
        var millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let counter: UInt16 = state.lock.withLock {
            if millis > state.lastMillis {
                state.lastMillis = millis
                state.counter = UInt16(truncatingIfNeeded: state.random.next()) & 0x3FF   // leaves room to count up
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
        // One system draw per id (it used to be nine: one per random byte, visible in every request's profile).
        var system = SystemRandomNumberGenerator()
        let tail = system.next()
        func byte(_ value: UInt64, _ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return UUID(uuid: (byte(millis, 5), byte(millis, 4), byte(millis, 3), byte(millis, 2), byte(millis, 1), byte(millis, 0),
                           0x70 | UInt8((counter >> 8) & 0x0F), UInt8(counter & 0xFF),
                           (byte(tail, 7) & 0x3F) | 0x80, byte(tail, 6), byte(tail, 5), byte(tail, 4),
                           byte(tail, 3), byte(tail, 2), byte(tail, 1), byte(tail, 0)))
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
