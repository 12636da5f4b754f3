import Foundation
import HelpdeskCore
import Logging
import RedisClient
import ServiceLifecycle

/// How the Redis bus retries, reclaims and trims. Defaults suit production; tests shorten the times.
public struct StreamSettings: Sendable {
    /// The stream every event is appended to; the dead-letter stream is `<stream>:dead`.
    public var stream = "helpdesk:events"
    /// Deliveries before a failing event goes to the dead-letter stream.
    public var maxAttempts = 8
    /// Backoff before the n-th retry: `baseBackoff × 2^(n-1)`, capped at `maxBackoff`.
    public var baseBackoff: Duration = .milliseconds(500)
    public var maxBackoff: Duration = .seconds(300)
    /// A message pending this long on a consumer that never acknowledged it (a dead process) is reclaimed.
    public var claimTimeout: Duration = .seconds(30)
    /// How long a blocking read waits for new messages before checking for reclaimable ones.
    public var blockTime: Duration = .seconds(1)
    /// Messages read per call.
    public var batchSize = 64
    /// Retention: entries older than this, or beyond this count, are trimmed once every group acknowledged them.
    public var maxAge: Duration = .seconds(7 * 24 * 3600)
    public var maxLength = 1_000_000
    public var trimInterval: Duration = .seconds(60)

    public init() {}

    public var deadLetterStream: String { stream + ":dead" }
    public func attemptsKey(group: String) -> String { stream + ":attempts:" + group }

    /// How long a message that failed `failures` times waits before it is tried again.
    public func backoff(afterFailures failures: Int) -> Duration {
        let factor = 1 << min(max(failures - 1, 0), 20)
        return min(baseBackoff * factor, maxBackoff)
    }
}

/// The event bus on Redis Streams. The outbox relay appends each event to one stream; every consuming
/// service reads it through its own consumer group, so each service sees every event once, and several
/// replicas of a service share the work. Handlers run, then the message is acknowledged; see `StreamConsumer`.
public struct RedisStreamsEventBus: EventBus {
    public let redis: RedisClient
    public let settings: StreamSettings
    let consumers: [StreamConsumer]
    let logger: Logger

    public init(redis: RedisClient, settings: StreamSettings = StreamSettings(), subscriptions: [EventSubscription],
                ledger: ConsumerLedger, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.logger = logger
        let name = Self.consumerName()
        consumers = subscriptions.map {
            StreamConsumer(redis: redis, settings: settings, subscription: $0, ledger: ledger, name: name, logger: logger)
        }
    }

    /// `host-pid-random`: unique per process, readable in `XINFO CONSUMERS`.
    static func consumerName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt16.random(in: 0...UInt16.max))"
    }

    public func publish(_ event: EventEnvelope) async throws {
        try await redis.send(try append(event))
    }

    /// One pipeline for the page: if it fails, none counts as accepted and all go out again (consumers skip
    /// what they already applied).
    public func publish(_ events: [EventEnvelope]) async -> (accepted: Int, failure: (any Error)?) {
        do {
            _ = try await redis.pipeline(try events.map(append))
            return (events.count, nil)
        } catch {
            return (0, error)
        }
    }

    private func append(_ event: EventEnvelope) throws -> [RESPArgument] {
        let json = String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
        return ["XADD", .string(settings.stream), "*", "id", .string(event.id.lowercased),
                "type", .string(event.type), "envelope", .string(json)]
    }

    public func settle() async throws {
        for consumer in consumers { try await consumer.processAvailable() }
    }

    /// Background work: one reader per consumer group, and the trimmer.
    public var services: [any Service] {
        consumers.map { $0 as any Service } + [StreamTrimmer(redis: redis, settings: settings, logger: logger)]
    }

    /// Creates every consumer group (from the start of the stream) so no event published from now on is
    /// missed by a service that is not running yet.
    public func prepare() async throws {
        for consumer in consumers { try await consumer.ensureGroup() }
    }

    // MARK: Dead letters

    public var deadLetterQueue: (any DeadLetterQueue)? { self }
}

extension RedisStreamsEventBus: DeadLetterQueue {
    /// The workspace's dead-lettered events, newest first (the stream is shared by all workspaces).
    public func deadLetters(workspaceID: UUID, limit: Int, before cursor: String?) async throws -> [DeadLetter] {
        if let cursor, StreamID(cursor) == nil { throw HelpdeskError.badParameter("cursor", "does not belong to this list") }
        var found: [DeadLetter] = []
        var end: RESPArgument = cursor.map { .string("(" + $0) } ?? "+"
        while found.count < limit {
            let reply = try await redis.send(["XREVRANGE", .string(settings.deadLetterStream), end, "-", "COUNT", "200"])
            let entries = StreamEntry.list(reply)
            found += entries.filter { $0.fields["workspace_id"] == workspaceID.lowercased }.map(DeadLetter.init)
            guard entries.count == 200, let last = entries.last else { break }
            end = .string("(" + last.id)
        }
        return Array(found.prefix(limit))
    }

    /// Publishes a dead-lettered event again and removes it from the dead-letter stream. Groups that already
    /// handled it skip it (their ledgers remember it); the group that failed gets a fresh set of attempts.
    public func replay(workspaceID: UUID, deadLetterID: String) async throws -> Bool {
        guard StreamID(deadLetterID) != nil else { return false }
        let reply = try await redis.send(["XRANGE", .string(settings.deadLetterStream), .string(deadLetterID),
                                          .string(deadLetterID)])
        guard let entry = StreamEntry.list(reply).first, entry.fields["workspace_id"] == workspaceID.lowercased,
              let envelope = entry.fields["envelope"] else { return false }
        // Added first and checked: the dead letter goes only once the event is back in the stream.
        try await redis.send(["XADD", .string(settings.stream), "*", "id", .string(entry.fields["event_id"] ?? ""),
                              "type", .string(entry.fields["type"] ?? ""), "envelope", .string(envelope)])
        try await redis.send(["XDEL", .string(settings.deadLetterStream), .string(deadLetterID)])
        return true
    }
}

/// An event that kept failing for one consumer group.
public struct DeadLetter: Sendable, Encodable {
    public let id: String
    public let consumer: String
    public let eventID: String
    public let eventType: String
    public let attempts: Int
    public let error: String
    public let failedAt: String
    public let envelope: JSONValue?

    public init(id: String, consumer: String, eventID: String, eventType: String, attempts: Int, error: String,
                failedAt: String, envelope: JSONValue?) {
        self.id = id
        self.consumer = consumer
        self.eventID = eventID
        self.eventType = eventType
        self.attempts = attempts
        self.error = error
        self.failedAt = failedAt
        self.envelope = envelope
    }

    init(_ entry: StreamEntry) {
        id = entry.id
        consumer = entry.fields["group"] ?? ""
        eventID = entry.fields["event_id"] ?? ""
        eventType = entry.fields["type"] ?? ""
        attempts = Int(entry.fields["attempts"] ?? "") ?? 0
        error = entry.fields["error"] ?? ""
        failedAt = entry.fields["failed_at"] ?? ""
        envelope = entry.fields["envelope"].flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    enum CodingKeys: String, CodingKey {
        case id, consumer, attempts, error, envelope
        case eventID = "event_id"
        case eventType = "event_type"
        case failedAt = "failed_at"
    }
}

/// One stream entry: its id and its field/value pairs.
struct StreamEntry: Sendable {
    let id: String
    let fields: [String: String]

    /// Entries from an `XRANGE`-shaped reply: `[[id, [field, value, …]], …]`; deleted entries (nil) are skipped.
    static func list(_ reply: RESPValue) -> [StreamEntry] {
        (reply.array ?? []).compactMap { item in
            guard let pair = item.array, pair.count == 2, let id = pair[0].string, !pair[1].isNull else { return nil }
            return StreamEntry(id: id, fields: pair[1].fields)
        }
    }
}

/// A stream entry id `ms-seq`, ordered as Redis orders them.
struct StreamID: Comparable, Sendable, CustomStringConvertible {
    let milliseconds: UInt64
    let sequence: UInt64

    init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let ms = UInt64(parts[0]), let seq = UInt64(parts[1]) else { return nil }
        self.init(milliseconds: ms, sequence: seq)
    }

    static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    var description: String { "\(milliseconds)-\(sequence)" }
}
