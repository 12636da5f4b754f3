import Crypto
import Foundation
import NIOCore
import RedisClient

/// Buckets in Redis, shared by every gateway replica. Refill, check and take happen in one Lua script, so two
/// replicas can never both spend the last token; the time is Redis's own, so replicas' clocks do not matter.
public struct RedisRateLimiter: RateLimiter {
    let redis: RedisClient
    let prefix: String

    public init(redis: RedisClient, prefix: String) {
        self.redis = redis
        self.prefix = prefix
    }

    /// KEYS[1] the bucket; ARGV capacity, period in ms. Returns {allowed (0/1), tokens left as a string}.
    static let script = """
        local capacity = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1]) or capacity
        local ts = tonumber(state[2]) or now
        local rate = capacity / period
        tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
        local allowed = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(period) + 1000)
        return {allowed, tostring(tokens)}
        """

    /// Redis caches scripts by SHA-1: EVALSHA sends 40 bytes instead of the script, EVAL loads it when missing.
    static let scriptSHA = Insecure.SHA1.hash(data: Array(script.utf8)).map { String(format: "%02x", $0) }.joined()

    public func take(key: String, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let args: [RESPArgument] = ["1", .string(prefix + key), .string(String(policy.capacity)),
                                    .string(String(Int((policy.period * 1000).rounded())))]
        let reply: RESPValue
        do {
            reply = try await redis.send(["EVALSHA", .string(Self.scriptSHA)] + args, timeout: .seconds(2))
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            reply = try await redis.send(["EVAL", .string(Self.script)] + args, timeout: .seconds(2))
        }
        guard let parts = reply.array, parts.count == 2, case .integer(let allowed) = parts[0],
              let tokens = parts[1].string.flatMap(Double.init) else {
            throw RateLimiterError(message: "unexpected reply \(reply)")
        }
        return RateLimitDecision(allowed: allowed == 1, tokens: tokens, policy: policy)
    }
}

public struct RateLimiterError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "rate limiter: \(message)" }
}
