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
    public var lowercased: String { uuidString.lowercased() }
}
