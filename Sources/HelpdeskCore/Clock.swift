import Foundation

/// The current time, injectable so expiry rules (tokens, lockouts) can be tested without waiting.
public struct TimeSource: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    /// The current time, truncated to the millisecond: the precision timestamps are stored with, so a value
    /// read back equals the one written.
    public var now: Date { Date(epochMilliseconds: read().epochMilliseconds) }

    /// Wall-clock time.
    public static let system = TimeSource { Date() }
}

extension Date {
    /// Milliseconds since 1970: how every timestamp is stored, identical on SQLite and PostgreSQL.
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    public init(epochMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
    }
}
