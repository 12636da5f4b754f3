import Foundation
import Logging
import RedisClient
import ServiceLifecycle

/// Trims the event stream by age and length, never past a message some consumer group has not acknowledged
/// or not read yet: the cut is the oldest of the retention target and every group's oldest pending message
/// (or last delivered one).
public struct StreamTrimmer: Service {
    let redis: RedisClient
    let settings: StreamSettings
    let logger: Logger

    public init(redis: RedisClient, settings: StreamSettings, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { _ = try await trim() } catch {
                    logger.warning("event stream trim failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: settings.trimInterval)
            }
        }
    }

    /// Trims once; returns how many entries were removed.
    @discardableResult
    public func trim(now: Date = Date()) async throws -> Int {
        let stream = RESPArgument.string(settings.stream)
        let length = try await redis.send(["XLEN", stream]).int ?? 0
        guard length > 0 else { return 0 }
        var target = StreamID(milliseconds: UInt64(max(0, now.timeIntervalSince1970 * 1000)) - UInt64(settings.maxAge.milliseconds),
                              sequence: 0)
        if length > settings.maxLength {
            // The first entry to keep is the one after the excess; read at most 10,000 per pass.
            let excess = min(Int(length) - settings.maxLength, 10_000)
            let reply = try await redis.send(["XRANGE", stream, "-", "+", "COUNT", .string(String(excess + 1))])
            if let keep = StreamEntry.list(reply).last.flatMap({ StreamID($0.id) }), keep > target { target = keep }
        }
        guard let floor = try await safeFloor(), floor < target else {
            return Int(try await redis.send(["XTRIM", stream, "MINID", .string(target.description)]).int ?? 0)
        }
        return Int(try await redis.send(["XTRIM", stream, "MINID", .string(floor.description)]).int ?? 0)
    }

    /// The oldest id some group still needs, or nil when no group exists.
    func safeFloor() async throws -> StreamID? {
        let groups = try await redis.send(["XINFO", "GROUPS", .string(settings.stream)])
        var floor: StreamID?
        for group in groups.array ?? [] {
            let info = group.fields
            guard let name = info["name"] else { continue }
            var needed = StreamID(info["last-delivered-id"] ?? "0-0") ?? StreamID(milliseconds: 0, sequence: 0)
            if let pending = Int(info["pending"] ?? "0"), pending > 0 {
                let summary = try await redis.send(["XPENDING", .string(settings.stream), .string(name)])
                if let items = summary.array, items.count >= 2, let oldest = items[1].string.flatMap(StreamID.init) {
                    needed = min(needed, oldest)
                }
            }
            floor = floor.map { min($0, needed) } ?? needed
        }
        return floor
    }
}
