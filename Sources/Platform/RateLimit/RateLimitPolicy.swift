import Foundation

/// One token bucket's shape: `capacity` requests at once, refilled continuously at `capacity` per `period`.
public struct RateLimitPolicy: Sendable, Equatable {
    public var capacity: Int
    public var period: Double

    public init(capacity: Int, period: Double) {
        self.capacity = capacity
        self.period = period
    }

    /// Tokens added per second.
    public var refillPerSecond: Double { Double(capacity) / period }
}

/// Which bucket a request draws from.
public enum RateLimitClass: String, Sendable, CaseIterable {
    /// A caller with a valid access token, keyed by user.
    case user
    /// A caller without a token, keyed by client IP.
    case anonymous
    /// Sign-in, registration and password reset, keyed by client IP: stricter, since they are what credential
    /// stuffing and mail bombing go through.
    case auth
}

/// The policies of every class, from `--rate-limits "user=1200/60 anonymous=300/60 auth=30/60"` or `off`.
public struct RateLimitSettings: Sendable, Equatable {
    public var policies: [RateLimitClass: RateLimitPolicy]
    /// Prefix of the Redis keys (tests give each run its own).
    public var keyPrefix = "helpdesk:ratelimit:"

    /// 1,200 requests a minute per user (20/s sustained, a minute's worth at once), 300 per anonymous IP, 30
    /// sign-ins or resets per IP.
    public static let defaults = RateLimitSettings(policies: [
        .user: .init(capacity: 1200, period: 60),
        .anonymous: .init(capacity: 300, period: 60),
        .auth: .init(capacity: 30, period: 60),
    ])

    public static let off = RateLimitSettings(policies: [:])

    public init(policies: [RateLimitClass: RateLimitPolicy]) { self.policies = policies }

    public var isEnabled: Bool { !policies.isEmpty }

    /// Parses `off`, or whitespace/comma separated `class=capacity/seconds` items; classes not named keep their
    /// default.
    public static func parse(_ text: String) throws -> RateLimitSettings {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "off" { return .off }
        var settings = RateLimitSettings.defaults
        let items = trimmed.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        if items.isEmpty { throw ConfigurationError("rate-limits: expected off or class=capacity/seconds items") }
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let kind = RateLimitClass(rawValue: String(parts[0]).lowercased()) else {
                throw ConfigurationError("rate-limits: \(item): expected user=, anonymous= or auth= followed by capacity/seconds")
            }
            let numbers = parts[1].split(separator: "/", maxSplits: 1)
            guard numbers.count == 2, let capacity = Int(numbers[0]), capacity >= 1, capacity <= 1_000_000_000,
                  let period = Double(numbers[1].hasSuffix("s") ? numbers[1].dropLast() : numbers[1]),
                  period > 0, period <= 86_400 else {
                throw ConfigurationError("rate-limits: \(item): expected capacity/seconds such as \(kind.rawValue)=600/60")
            }
            settings.policies[kind] = .init(capacity: capacity, period: period)
        }
        return settings
    }
}
