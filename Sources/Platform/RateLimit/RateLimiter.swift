import Foundation
import NIOConcurrencyHelpers

/// What a bucket said about one request.
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    public let limit: Int
    /// Whole tokens left after this request.
    public let remaining: Int
    /// Seconds until the bucket is full again.
    public let resetSeconds: Int
    /// Seconds until the next request would be allowed (0 when allowed).
    public let retryAfterSeconds: Int

    /// The decision for a bucket holding `tokens` after the attempt.
    public init(allowed: Bool, tokens: Double, policy: RateLimitPolicy) {
        self.allowed = allowed
        limit = policy.capacity
        remaining = max(0, Int(tokens.rounded(.down)))
        let rate = policy.refillPerSecond
        resetSeconds = max(0, Int(((Double(policy.capacity) - tokens) / rate).rounded(.up)))
        retryAfterSeconds = allowed ? 0 : max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }
}

/// Token buckets by key. One implementation per backend: in memory for one process, Redis for replicas.
public protocol RateLimiter: Sendable {
    /// Takes one token from the bucket `key` shaped by `policy`.
    func take(key: String, policy: RateLimitPolicy) async throws -> RateLimitDecision
}

/// Buckets in this process's memory (the embedded mode: one process sees every request).
public final class InMemoryRateLimiter: RateLimiter {
    struct Bucket {
        var tokens: Double
        var updated: Double
        /// Seconds to refill from empty: after that long untouched the bucket is full and can be forgotten.
        var period: Double
    }

    struct State {
        var buckets: [String: Bucket] = [:]
        var lastPrune = 0.0
    }

    private let state = NIOLockedValueBox(State())
    /// Past this many buckets, full ones are dropped (at most every 10 s), so a scan of many addresses cannot
    /// grow memory forever.
    let pruneAbove: Int
    private let now: @Sendable () -> Double

    public init(pruneAbove: Int = 100_000, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.pruneAbove = pruneAbove
        self.now = now
    }

    public func take(key: String, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let time = now()
        return state.withLockedValue { state in
            // A full bucket carries no information; each is judged by its own period.
            if state.buckets.count > pruneAbove, time - state.lastPrune >= 10 {
                state.buckets = state.buckets.filter { time - $0.value.updated < $0.value.period }
                state.lastPrune = time
            }
            var bucket = state.buckets[key] ?? Bucket(tokens: Double(policy.capacity), updated: time, period: policy.period)
            bucket.tokens = min(Double(policy.capacity), bucket.tokens + max(0, time - bucket.updated) * policy.refillPerSecond)
            bucket.updated = time
            bucket.period = policy.period
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            state.buckets[key] = bucket
            return RateLimitDecision(allowed: allowed, tokens: bucket.tokens, policy: policy)
        }
    }

    /// Buckets held now (for tests of the pruning).
    public var bucketCount: Int { state.withLockedValue { $0.buckets.count } }
}
