import Foundation
import HelpdeskCore
import Logging
import NIOCore
import RedisClient
import ServiceLifecycle

/// Reads the event stream for one consumer group and applies each event once.
///
/// - New messages: `XREADGROUP … >`; the handler runs (through the ledger, so duplicates are skipped), then
///   `XACK`. Events the group does not want are acknowledged at once.
/// - A failure leaves the message pending and counts it in `<stream>:attempts:<group>`; it is claimed again
///   (`XPENDING … IDLE` + `XCLAIM`) once its exponential backoff has passed, and after `maxAttempts` it is copied
///   to the dead-letter stream and acknowledged. The backoff holds at any attempt count, past `claimTimeout` too.
/// - Messages left pending by a consumer that died, never counted as failed, are claimed after `claimTimeout`.
public final class StreamConsumer: Service, Sendable {
    let redis: RedisClient
    let settings: StreamSettings
    let subscription: EventSubscription
    let ledger: ConsumerLedger
    let name: String
    let logger: Logger

    init(redis: RedisClient, settings: StreamSettings, subscription: EventSubscription, ledger: ConsumerLedger,
         name: String, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.subscription = subscription
        self.ledger = ledger
        self.name = name
        self.logger = logger
    }

    var group: String { subscription.consumer }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await self.ensureGroup()
                    while !Task.isCancelled {
                        try await self.reclaim()
                        _ = try await self.readNew(block: true)
                        failures = 0
                    }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    self.logger.warning("event consumer error; retrying", metadata: [
                        "consumer": "\(self.group)", "error": "\(error)",
                    ])
                    try? await Task.sleep(for: .milliseconds(min(100 << min(failures, 6), 5_000)))
                }
            }
        }
    }

    /// Creates the group at the start of the stream (events published before the first start are seen) or, for
    /// subscriptions that do not read history, at its end.
    func ensureGroup() async throws {
        do {
            let start: RESPArgument = subscription.readsHistory ? "0" : "$"
            try await redis.send(["XGROUP", "CREATE", .string(settings.stream), .string(group), start, "MKSTREAM"])
        } catch let error as RedisError where error.serverCode == "BUSYGROUP" {
            // Exists already.
        }
    }

    /// Processes every message that is available now, new or due for retry, without blocking.
    func processAvailable() async throws {
        try await ensureGroup()
        while true {
            try await reclaim()
            if try await readNew(block: false) == 0 { return }
        }
    }

    /// Reads and processes one batch of new messages; returns how many there were.
    func readNew(block: Bool) async throws -> Int {
        var command: [RESPArgument] = ["XREADGROUP", "GROUP", .string(group), .string(name),
                                       "COUNT", .string(String(settings.batchSize))]
        if block { command += ["BLOCK", .string(String(settings.blockTime.milliseconds))] }
        command += ["STREAMS", .string(settings.stream), ">"]
        let timeout = TimeAmount.milliseconds(settings.blockTime.milliseconds + 5_000)
        let reply: RESPValue
        do {
            reply = try await redis.send(command, timeout: timeout)
        } catch let error as RedisError where error.serverCode == "NOGROUP" {
            try await ensureGroup() // the stream was deleted (FLUSHALL, manual cleanup): start again
            return 0
        }
        // RESP2: [[stream, [[id, fields], …]]]; RESP3: {stream: [[id, fields], …]}; null when nothing came.
        guard var streams = reply.array, !streams.isEmpty else { return 0 }
        if case .array(let first) = streams[0] { streams = first }
        guard streams.count >= 2 else { return 0 }
        let entries = StreamEntry.list(streams[1])
        try await process(entries)
        return entries.count
    }

    /// Takes what is pending and due: a message that failed waits out its backoff, however many attempts it has
    /// had (even past `claimTimeout`); one never counted as failed (in flight on a consumer that died) waits
    /// `claimTimeout`. Both are claimed with `XCLAIM` and that idle floor, so of several replicas one wins.
    func reclaim() async throws {
        let minIdle = min(settings.baseBackoff, settings.claimTimeout).milliseconds
        var start = "-"
        for _ in 0..<10 {
            let pending = try await redis.send(["XPENDING", .string(settings.stream), .string(group),
                                                "IDLE", .string(String(minIdle)), .string(start), "+", "100"])
            let items = (pending.array ?? []).compactMap { item -> (id: String, idle: Int64)? in
                guard let fields = item.array, fields.count >= 4, let id = fields[0].string, let idle = fields[2].int
                else { return nil }
                return (id, idle)
            }
            guard !items.isEmpty else { return }
            let attempts = try await redis.send(["HMGET", .string(settings.attemptsKey(group: group))]
                                                + items.map { .string($0.id) })
            for (item, count) in zip(items, attempts.array ?? []) {
                let failures = Int(count.int ?? 0)
                let due = failures > 0 ? settings.backoff(afterFailures: failures).milliseconds
                                       : settings.claimTimeout.milliseconds
                guard item.idle >= due else { continue }
                let claimed = StreamEntry.list(try await redis.send([
                    "XCLAIM", .string(settings.stream), .string(group), .string(name), .string(String(due)), .string(item.id),
                ]))
                if claimed.isEmpty {
                    try await acknowledgeIfTrimmed(item.id)
                    continue
                }
                if failures == 0 {
                    logger.info("reclaimed an event left pending", metadata: ["consumer": "\(group)", "stream_id": "\(item.id)"])
                }
                try await process(claimed)
            }
            guard items.count == 100, let last = items.last?.id else { return }
            start = "(" + last
        }
    }

    /// An empty `XCLAIM` means another replica took the message, or it was trimmed away while pending; only the
    /// second leaves nothing to process, so it is acknowledged rather than looked at forever.
    private func acknowledgeIfTrimmed(_ id: String) async throws {
        let entry = try await redis.send(["XRANGE", .string(settings.stream), .string(id), .string(id)])
        guard entry.array?.isEmpty ?? true else { return }
        try await acknowledge([id])
    }

    /// Applies a batch read from the stream, in order, and acknowledges what was applied (or was a duplicate, or
    /// unwanted) in one round trip. Per batch rather than per event: one ledger lookup, and for a subscription
    /// with a batch handler one call; a consumer that fell behind catches up with a few round trips per batch.
    func process(_ entries: [StreamEntry]) async throws {
        var applied: [String] = []
        var wanted: [(entry: StreamEntry, event: EventEnvelope)] = []
        for entry in entries {
            guard let json = entry.fields["envelope"],
                  let event = try? EventJSON.decoder().decode(EventEnvelope.self, from: Data(json.utf8)) else {
                try await deadLetter(entry, attempts: 1, error: "the message is not a valid event envelope")
                continue
            }
            if subscription.wants(event.type) { wanted.append((entry, event)) } else { applied.append(entry.id) }
        }
        if let handleBatch = subscription.handleBatch, !wanted.isEmpty {
            do {
                try await handleBatch(wanted.map(\.event))
                applied += wanted.map(\.entry.id)
                wanted = []
            } catch {
                logger.warning("batch handler failed; applying the events one by one", metadata: [
                    "consumer": "\(group)", "events": "\(wanted.count)", "error": "\(String(reflecting: error))",
                ])
            }
        }
        var handled: Set<UUID>
        do {
            handled = try await ledger.handled(by: subscription.consumer, among: wanted.map(\.event))
        } catch {
            // As if each handler had failed: counted, and retried after the backoff.
            for (entry, event) in wanted { try await failed(entry, event, error) }
            try await acknowledge(applied)
            return
        }
        for (entry, event) in wanted {
            do {
                // The same event twice in one read (published twice) is applied once.
                if !handled.contains(event.id) {
                    try await ledger.handle(subscription, event)
                    handled.insert(event.id)
                }
                applied.append(entry.id)
            } catch {
                try await failed(entry, event, error)
            }
        }
        try await acknowledge(applied)
    }

    /// Counts a failed attempt; after `maxAttempts` the message goes to the dead-letter stream.
    private func failed(_ entry: StreamEntry, _ event: EventEnvelope, _ error: any Error) async throws {
        // The backoff runs from the failure, not from the delivery: claiming the message again with JUSTID (no
        // new delivery counted) sets its idle time to zero now, however long the handler took to fail.
        let replies = try await redis.pipeline([
            ["HINCRBY", .string(settings.attemptsKey(group: group)), .string(entry.id), "1"],
            ["XCLAIM", .string(settings.stream), .string(group), .string(name), "0", .string(entry.id), "JUSTID"],
        ])
        let attempts = replies.first?.int ?? 1
        logger.warning("event handler failed", metadata: [
            "consumer": "\(group)", "event_id": "\(event.id.lowercased)", "event_type": "\(event.type)",
            "attempt": "\(attempts)", "error": "\(String(reflecting: error))",
        ])
        if attempts >= settings.maxAttempts {
            try await deadLetter(entry, attempts: Int(attempts), error: String(describing: error))
        }
    }

    static func workspaceID(of entry: StreamEntry) -> String? {
        guard let json = entry.fields["envelope"],
              let event = try? EventJSON.decoder().decode(EventEnvelope.self, from: Data(json.utf8)) else { return nil }
        return event.workspaceID.lowercased
    }

    private func acknowledge(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await redis.pipeline([
            ["XACK", .string(settings.stream), .string(group)] + ids.map(RESPArgument.string),
            ["HDEL", .string(settings.attemptsKey(group: group))] + ids.map(RESPArgument.string),
        ])
    }

    private func deadLetter(_ entry: StreamEntry, attempts: Int, error: String) async throws {
        logger.error("event moved to the dead-letter stream", metadata: [
            "consumer": "\(group)", "stream_id": "\(entry.id)", "error": "\(error)",
        ])
        try await redis.send(["XADD", .string(settings.deadLetterStream), "*",
                              "group", .string(group), "stream_id", .string(entry.id),
                              "workspace_id", .string(Self.workspaceID(of: entry) ?? ""),
                              "event_id", .string(entry.fields["id"] ?? ""), "type", .string(entry.fields["type"] ?? ""),
                              "envelope", .string(entry.fields["envelope"] ?? ""),
                              "attempts", .string(String(attempts)), "error", .string(String(error.prefix(2_000))),
                              "failed_at", .string(RFC3339.string(from: Date()))])
        try await acknowledge([entry.id])
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
