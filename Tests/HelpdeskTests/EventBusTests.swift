import Foundation
import Gateway
import HelpdeskCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Platform
@testable import RedisClient
import Testing

@Suite("RESP")
struct RESPTests {
    func parse(_ text: String) throws -> RESPValue? {
        var buffer = ByteBuffer(string: text)
        return try RESPParser.parse(&buffer)
    }

    @Test("RESP2 and RESP3 replies parse; partial input waits; garbage is refused")
    func parsing() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse(":-42\r\n") == .integer(-42))
        #expect(try parse("$4\r\nhé!\r\n")?.string == "hé!", "length counts bytes")
        #expect(try parse("$-1\r\n") == .null)
        #expect(try parse("*2\r\n$1\r\na\r\n:1\r\n")?.array?.count == 2)
        #expect(try parse("%1\r\n+k\r\n+v\r\n")?.fields == ["k": "v"])
        #expect(try parse("_\r\n") == .null)
        #expect(try parse("#t\r\n") == .boolean(true))
        #expect(try parse(",1.5\r\n") == .double(1.5))
        #expect(try parse("-ERR wrong\r\n") == .error("ERR wrong"))
        // Incomplete input leaves the buffer untouched, so more bytes can complete it.
        var partial = ByteBuffer(string: "*2\r\n$1\r\na\r\n")
        #expect(try RESPParser.parse(&partial) == nil)
        #expect(partial.readableBytes == 11)
        partial.writeString(":7\r\n")
        #expect(try RESPParser.parse(&partial)?.array?.last == .integer(7))
        #expect(throws: RedisError.self) { try parse("?what\r\n") }
        #expect(throws: RedisError.self) { try parse(":12x\r\n") }
        #expect(throws: RedisError.self) { try parse(String(repeating: "*1\r\n", count: 100) + ":1\r\n") }
    }

    @Test("URLs: host, port, password, database, protocol; bad ones are refused")
    func urls() throws {
        let c = try RedisConfiguration(url: "redis://:s%40cret@10.0.0.1:6380/2?protocol=3")
        #expect(c.host == "10.0.0.1" && c.port == 6380 && c.password == "s@cret" && c.database == 2 && c.protocolVersion == 3)
        #expect(try RedisConfiguration(url: "redis://localhost").port == 6379)
        for bad in ["http://x", "redis://", "redis://h/x", "redis://h?protocol=4"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }
}

/// The Redis client and the Redis Streams bus against a real Redis (`scripts/with-redis`).
@Suite("Redis", .enabled(if: TestBackend.redisURL != nil))
struct RedisTests {
    var url: String { TestBackend.redisURL! }
    var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("commands, pipelines, error replies, AUTH, RESP3 and timeouts on a real server")
    func client() async throws {
        let redis = try RedisClient(url: url)
        let key = "test:\(UUID().uuidString)"
        let replies = try await redis.pipeline([["SET", .string(key), "1"], ["INCRBY", .string(key), "41"],
                                                ["GET", .string(key)], ["HGET", .string(key), "x"]])
        #expect(replies[1] == .integer(42))
        #expect(replies[2].string == "42")
        if case .error(let message) = replies[3] { #expect(message.hasPrefix("WRONGTYPE")) } else { Issue.record("no error") }
        await #expect(throws: RedisError.self) { try await redis.send(["NOSUCHCOMMAND"]) }
        // 200 concurrent callers share the pool; every reply reaches its caller.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let value = try await redis.send(["ECHO", .string("v\(i)")])
                    #expect(value.string == "v\(i)")
                }
            }
            try await group.waitForAll()
        }
        // A command that outlives its timeout fails with .timeout; the pool replaces the closed connection.
        await #expect(throws: RedisError.timeout) {
            try await redis.send(["BLPOP", .string(key + ":empty"), "2"], timeout: .milliseconds(100))
        }
        #expect(try await redis.send(["PING"]).string == "PONG")
        // The server drops the connection (a restart, a proxy timeout): the pool replaces it, so at most the
        // call that meets the dead connection fails. (Only this client's connection is killed: tests run side
        // by side on this Redis.)
        var single = try RedisConfiguration(url: url)
        single.maxConnections = 1
        let lone = RedisClient(configuration: single)
        let id = try #require(try await lone.send(["CLIENT", "ID"]).int)
        try await redis.send(["CLIENT", "KILL", "ID", .string(String(id))])
        try await Task.sleep(for: .milliseconds(50))
        // Under load the kill may be noticed on the first call or the next: the pool must be healthy by the third.
        var answers: [String] = []
        for _ in 0..<3 where answers.last != "PONG" {
            answers.append((try? await lone.send(["PING"], timeout: .seconds(2)))?.string ?? "failed")
        }
        #expect(answers.last == "PONG", "\(answers)")
        await lone.shutdown()
        let resp3 = try RedisClient(url: url + "?protocol=3")
        #expect(try await resp3.send(["HSET", .string(key + ":h"), "a", "1"]).int == 1)
        #expect(try await resp3.send(["HGETALL", .string(key + ":h")]).fields == ["a": "1"])
        var wrong = try RedisConfiguration(url: url)
        wrong.password = "not-the-password"
        await #expect(throws: RedisError.self) { try await RedisClient(configuration: wrong).send(["PING"]) }
        try await redis.send(["DEL", .string(key), .string(key + ":h")])
        await redis.shutdown()
        await resp3.shutdown()
    }

    /// A bus on its own stream with one counting subscription whose handler fails while `failures` > 0.
    final class Probe: Sendable {
        let handled = NIOLockedValueBox<[UUID]>([])
        let failures = NIOLockedValueBox(0)
        /// When the handler was called, failing or not.
        let calls = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        var subscription: EventSubscription {
            EventSubscription(consumer: "probe", eventTypes: ["probe.event"]) { event in
                self.calls.withLockedValue { $0.append(.now) }
                let fail = self.failures.withLockedValue { n -> Bool in
                    if n > 0 { n -= 1; return true }
                    return false
                }
                if fail { throw HelpdeskError.unavailable("probe failing") }
                self.handled.withLockedValue { $0.append(event.id) }
            }
        }
    }

    func withBus(_ settings: @escaping @Sendable (inout StreamSettings) -> Void = { _ in },
                 _ body: @Sendable (Harness, RedisStreamsEventBus, Probe) async throws -> Void) async throws {
        try await Harness.run { h in
            var s = h.system.configuration.streamSettings
            s.blockTime = .milliseconds(20)
            settings(&s)
            let redis = try RedisClient(url: url)
            let probe = Probe()
            let bus = RedisStreamsEventBus(redis: redis, settings: s, subscriptions: [probe.subscription],
                                           ledger: ConsumerLedger(database: h.system.database), logger: quiet)
            try await bus.prepare()
            try await body(h, bus, probe)
            try await redis.send(["DEL", .string(s.stream), .string(s.deadLetterStream), .string(s.attemptsKey(group: "probe"))])
            await redis.shutdown()
        }
    }

    func event(_ h: Harness, type: String = "probe.event") -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: h.workspaceID, actor: .system,
                      subject: EventSubject(type: "test", id: UUIDv7.make()), occurredAt: Date())
    }

    func pendingCount(_ bus: RedisStreamsEventBus, group: String = "probe") async throws -> Int64 {
        try await bus.redis.send(["XPENDING", .string(bus.settings.stream), .string(group)]).array?.first?.int ?? -1
    }

    @Test("each event is applied once, even when published twice; unwanted types are acknowledged")
    func exactlyOnce() async throws {
        try await withBus { h, bus, probe in
            let e = event(h)
            try await bus.publish(e)
            try await bus.publish(e)   // a relay that died between XADD and marking the row published
            try await bus.publish(event(h, type: "other.event"))
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0 } == [e.id])
            #expect(try await pendingCount(bus) == 0)
        }
    }

    @Test("a batch handler gets a read's wanted events in order; if it fails they go one by one through the ledger")
    func batchHandler() async throws {
        try await Harness.run { h in
            var s = h.system.configuration.streamSettings
            s.blockTime = .milliseconds(20)
            s.stream = "helpdesk:test-batch:\(UUID().uuidString)"
            let batches = NIOLockedValueBox<[[UUID]]>([])
            let singles = NIOLockedValueBox<[UUID]>([])
            let failBatch = NIOLockedValueBox(false)
            let subscription = EventSubscription(consumer: "batch-probe", eventTypes: ["probe.event"], handleBatch: { events in
                if failBatch.withLockedValue({ $0 }) { throw HelpdeskError.unavailable("batch failing") }
                batches.withLockedValue { $0.append(events.map(\.id)) }
            }) { event in
                singles.withLockedValue { $0.append(event.id) }
            }
            let redis = try RedisClient(url: url)
            let ledger = ConsumerLedger(database: h.system.database)
            let bus = RedisStreamsEventBus(redis: redis, settings: s, subscriptions: [subscription], ledger: ledger, logger: quiet)
            try await bus.prepare()
            let first = [event(h), event(h), event(h)]
            let published = await bus.publish([first[0], event(h, type: "other.event"), first[1], first[2]])
            #expect(published.accepted == 4 && published.failure == nil)
            try await bus.settle()
            #expect(batches.withLockedValue { $0 } == [first.map(\.id)], "one call, unwanted types left out, in order")
            #expect(singles.withLockedValue { $0 }.isEmpty)

            failBatch.withLockedValue { $0 = true }
            let second = [event(h), event(h), event(h)]
            // The middle one was applied before (a redelivery): the ledger skips it.
            try await ledger.handle(EventSubscription(consumer: "batch-probe", eventTypes: []) { _ in }, second[1])
            #expect(await bus.publish(second).accepted == 3)
            try await bus.settle()
            #expect(singles.withLockedValue { $0 } == [second[0].id, second[2].id])
            #expect(try await pendingCount(bus, group: "batch-probe") == 0)
            try await redis.send(["DEL", .string(s.stream), .string(s.attemptsKey(group: "batch-probe"))])
            await redis.shutdown()
        }
    }

    @Test("a failing handler is retried with backoff until it succeeds")
    func retries() async throws {
        try await withBus({ $0.baseBackoff = .milliseconds(20) }) { h, bus, probe in
            probe.failures.withLockedValue { $0 = 2 }
            let e = event(h)
            try await bus.publish(e)
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0 }.isEmpty)
            #expect(try await pendingCount(bus) == 1, "kept pending after a failure")
            for _ in 0..<100 where probe.handled.withLockedValue({ $0.isEmpty }) {
                try await Task.sleep(for: .milliseconds(20))
                try await bus.settle()
            }
            #expect(probe.handled.withLockedValue { $0 } == [e.id])
            #expect(try await pendingCount(bus) == 0)
            let attempts = try await bus.redis.send(["HLEN", .string(bus.settings.attemptsKey(group: "probe"))])
            #expect(attempts.int == 0, "attempt counters are cleared on success")
        }
    }

    @Test("the backoff holds at every attempt, also once it is longer than the claim timeout")
    func backoffPastClaimTimeout() async throws {
        // Backoffs 20, 40, 80, 160, 320, then 400 ms; the claim timeout (100 ms) is shorter from the fourth on,
        // where the dead-consumer reclaim used to take the message early.
        try await withBus({
            $0.baseBackoff = .milliseconds(20); $0.maxBackoff = .milliseconds(400)
            $0.claimTimeout = .milliseconds(100); $0.maxAttempts = 20
        }) { h, bus, probe in
            probe.failures.withLockedValue { $0 = 10 }
            let e = event(h)
            try await bus.publish(e)
            let deadline = ContinuousClock.now + .seconds(20)
            while probe.handled.withLockedValue({ $0.isEmpty }) && ContinuousClock.now < deadline {
                try await bus.settle()
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(probe.handled.withLockedValue { $0 } == [e.id], "applied on the eleventh call")
            let calls = probe.calls.withLockedValue { $0 }
            #expect(calls.count == 11)
            for n in 1..<calls.count {
                let wanted = bus.settings.backoff(afterFailures: n)
                // The wait runs from the failure, recorded just after the handler threw.
                #expect(calls[n] - calls[n - 1] >= wanted - .milliseconds(20), "gap after failure \(n): \(calls[n] - calls[n - 1]), backoff \(wanted)")
            }
            #expect(try await pendingCount(bus) == 0)
        }
    }

    @Test("an event that keeps failing goes to the dead-letter stream; an admin lists and replays it")
    func deadLetters() async throws {
        try await withBus({ $0.baseBackoff = .milliseconds(10); $0.maxAttempts = 3 }) { h, bus, probe in
            probe.failures.withLockedValue { $0 = 1_000 }
            let e = event(h)
            try await bus.publish(e)
            var letters: [DeadLetter] = []
            for _ in 0..<200 where letters.isEmpty {
                try await bus.settle()
                letters = try await bus.deadLetters(workspaceID: h.workspaceID, limit: 10, before: nil)
                if letters.isEmpty { try await Task.sleep(for: .milliseconds(15)) }
            }
            try #require(letters.count == 1)
            #expect(letters[0].eventID == e.id.lowercased && letters[0].consumer == "probe" && letters[0].attempts == 3)
            #expect(try await pendingCount(bus) == 0, "acknowledged once dead-lettered")

            // The system's own routes see the same stream (the probe bus shares its settings).
            let admin = try await h.admin()
            guard h.system.redis != nil else { return }
            let listed = try await h.request(.get, "/api/v1/admin/dead-letters", token: admin.accessToken)
            #expect(listed.status == 200)
            #expect(listed.items.first?["event_id"] as? String == e.id.lowercased)
            let customer = try await h.customer("c@example.com")
            #expect(try await h.request(.get, "/api/v1/admin/dead-letters", token: customer.accessToken).status == 403)
            #expect(try await h.request(.post, "/api/v1/admin/dead-letters/1-1/replay", token: admin.accessToken).status == 404)

            probe.failures.withLockedValue { $0 = 0 }
            let replay = try await h.request(.post, "/api/v1/admin/dead-letters/\(letters[0].id)/replay", token: admin.accessToken)
            #expect(replay.status == 202)
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0 } == [e.id])
            #expect(try await bus.deadLetters(workspaceID: h.workspaceID, limit: 10, before: nil).isEmpty)
        }
    }

    @Test("a group that does not read history starts at the end of the stream")
    func startsAtTheEnd() async throws {
        try await withBus { h, bus, probe in
            try await bus.publish(event(h))
            let late = Probe()
            let fresh = EventSubscription(consumer: "late-\(UUID().uuidString)", eventTypes: ["probe.event"], readsHistory: false,
                                          handle: late.subscription.handle)
            let lateBus = RedisStreamsEventBus(redis: bus.redis, settings: bus.settings, subscriptions: [fresh],
                                               ledger: ConsumerLedger(database: h.system.database), logger: quiet)
            try await lateBus.prepare()
            let next = event(h)
            try await bus.publish(next)
            try await lateBus.settle()
            #expect(late.handled.withLockedValue { $0 } == [next.id], "only what came after it")
        }
    }

    @Test("messages left pending by a dead consumer are reclaimed after the claim timeout")
    func reclaimsFromDeadConsumer() async throws {
        try await withBus({ $0.claimTimeout = .milliseconds(100) }) { h, bus, probe in
            let e = event(h)
            try await bus.publish(e)
            // A consumer that reads the message and dies before acknowledging it.
            _ = try await bus.redis.send(["XREADGROUP", "GROUP", "probe", "ghost", "COUNT", "10",
                                          "STREAMS", .string(bus.settings.stream), ">"])
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0 }.isEmpty, "not stolen before the timeout")
            try await Task.sleep(for: .milliseconds(150))
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0 } == [e.id])
            #expect(try await pendingCount(bus) == 0)
        }
    }

    @Test("trimming removes old acknowledged entries and keeps everything a group still needs")
    func trimming() async throws {
        // A stream of its own: the harness system's groups (auth, …) have read nothing of the shared one.
        try await withBus({ $0.stream += ":trim"; $0.maxAge = .seconds(60); $0.maxLength = 2 }) { h, bus, probe in
            for _ in 0..<3 { try await bus.publish(event(h)) }
            try await bus.settle()
            // One more, read by a ghost and left pending, then two the group has not read yet.
            try await bus.publish(event(h))
            _ = try await bus.redis.send(["XREADGROUP", "GROUP", "probe", "ghost", "COUNT", "1",
                                          "STREAMS", .string(bus.settings.stream), ">"])
            for _ in 0..<2 { try await bus.publish(event(h)) }
            let trimmer = StreamTrimmer(redis: bus.redis, settings: bus.settings, logger: quiet)
            let removed = try await trimmer.trim(now: Date().addingTimeInterval(3_600))
            #expect(removed == 3, "the three handled entries go")
            #expect(try await bus.redis.send(["XLEN", .string(bus.settings.stream)]).int == 3)
            try await Task.sleep(for: .milliseconds(10))
            try await bus.settle()
            #expect(probe.handled.withLockedValue { $0.count } == 5, "the unread entries survived the trim")
        }
    }
}

@Suite("In-process bus")
struct InProcessBusTests {
    @Test("a relay page goes to batch consumers at once and first, without the ledger; a failed batch falls back to it")
    func batchConsumers() async throws {
        try await Harness.run { h in
            let order = NIOLockedValueBox<[String]>([])
            let failBatch = NIOLockedValueBox(false)
            // Consumer names of their own: the ledger is shared by every test on the same database.
            let (singleName, batchName) = ("single-\(UUID())", "batch-\(UUID())")
            let single = EventSubscription(consumer: singleName, eventTypes: ["probe.event"]) { event in
                order.withLockedValue { $0.append("single \(event.subject.id)") }
            }
            let batch = EventSubscription(consumer: batchName, eventTypes: ["probe.event"], handleBatch: { events in
                if failBatch.withLockedValue({ $0 }) { throw HelpdeskError.unavailable("batch failing") }
                order.withLockedValue { $0.append("batch " + events.map { "\($0.subject.id)" }.joined(separator: ",")) }
            }) { event in
                order.withLockedValue { $0.append("fallback \(event.subject.id)") }
            }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            // Listed after the single consumer, still served first.
            let bus = InProcessEventBus(database: h.system.database, subscriptions: [single, batch], logger: logger)
            func event(_ type: String = "probe.event") -> EventEnvelope {
                EventEnvelope(type: type, workspaceID: h.workspaceID, actor: .system,
                              subject: EventSubject(type: "test", id: UUIDv7.make()), occurredAt: Date())
            }
            func consumed(_ consumer: String) async throws -> Int {
                try await h.system.database.sql.raw("SELECT COUNT(*) AS n FROM consumed_events WHERE consumer = \(bind: consumer)")
                    .first()!.decode(column: "n", as: Int.self)
            }
            let page = [event(), event("other.event"), event()]
            let (a, b) = (page[0].subject.id, page[2].subject.id)
            #expect(await bus.publish(page).accepted == 3)
            #expect(order.withLockedValue { $0 } == ["batch \(a),\(b)", "single \(a)", "single \(b)"])
            let (batchLedger, singleLedger) = (try await consumed(batchName), try await consumed(singleName))
            #expect(batchLedger == 0)
            #expect(singleLedger == 2)

            order.withLockedValue { $0 = [] }
            failBatch.withLockedValue { $0 = true }
            let next = [event(), event()]
            #expect(await bus.publish(next).accepted == 2)
            let (c, d) = (next[0].subject.id, next[1].subject.id)
            #expect(order.withLockedValue { $0 } == ["single \(c)", "fallback \(c)", "single \(d)", "fallback \(d)"],
                    "each event in turn, through every consumer in the order listed")
            let fallbackLedger = try await consumed(batchName)
            #expect(fallbackLedger == 2, "the fallback records through the ledger")
        }
    }

    @Test("a page the relay repeats because another consumer failed does not reach a batch consumer twice")
    func repeatedPage() async throws {
        try await Harness.run { h in
            let batches = NIOLockedValueBox<[[UUID]]>([])
            let failFirst = NIOLockedValueBox(true)
            let single = EventSubscription(consumer: "single-\(UUID())", eventTypes: ["probe.event"]) { _ in
                if failFirst.withLockedValue({ let fail = $0; $0 = false; return fail }) {
                    throw HelpdeskError.unavailable("down once")
                }
            }
            let batch = EventSubscription(consumer: "batch-\(UUID())", eventTypes: ["probe.event"], handleBatch: { events in
                batches.withLockedValue { $0.append(events.map(\.id)) }
            }) { _ in Issue.record("the batch did not fail: no event goes one by one") }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let bus = InProcessEventBus(database: h.system.database, subscriptions: [single, batch], logger: logger,
                                        retryBase: 0)
            let page = (0..<2).map { _ in
                EventEnvelope(type: "probe.event", workspaceID: h.workspaceID, actor: .system,
                              subject: EventSubject(type: "test", id: UUIDv7.make()), occurredAt: Date())
            }
            let first = await bus.publish(page)
            #expect(first.accepted == 0 && first.failure != nil, "the single consumer failed on the first event")
            let second = await bus.publish(page)
            #expect(second.accepted == 2)
            #expect(batches.withLockedValue { $0 } == [page.map(\.id)], "handed over once")
        }
    }

    @Test("a handler that keeps failing is dead-lettered after the limit, so later events flow; replay applies it once")
    func deadLetters() async throws {
        try await Harness.run { h in
            let probe = RedisTests.Probe()
            let calm = NIOLockedValueBox(0)
            let other = EventSubscription(consumer: "calm", eventTypes: ["probe.event"]) { _ in calm.withLockedValue { $0 += 1 } }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let bus = InProcessEventBus(database: h.system.database, subscriptions: [probe.subscription, other],
                                        logger: logger, maxAttempts: 3, retryBase: 0)
            probe.failures.withLockedValue { $0 = 1_000 }
            let event = EventEnvelope(type: "probe.event", workspaceID: h.workspaceID, actor: .system,
                                      subject: EventSubject(type: "test", id: UUIDv7.make()), occurredAt: Date())
            await #expect(throws: HelpdeskError.self) { try await bus.publish(event) }
            await #expect(throws: HelpdeskError.self) { try await bus.publish(event) }
            try await bus.publish(event)   // third failure: dead-lettered, the relay may move on
            try await bus.publish(event)   // and a later pass skips it
            #expect(calm.withLockedValue { $0 } == 1, "the healthy consumer handled it once")
            let letters = try await bus.deadLetters(workspaceID: h.workspaceID, limit: 10, before: nil)
            #expect(letters.count == 1 && letters[0].consumer == "probe" && letters[0].attempts == 3)
            #expect(try await bus.deadLetters(workspaceID: UUIDv7.make(), limit: 10, before: nil).isEmpty)
            #expect(try await bus.replay(workspaceID: UUIDv7.make(), deadLetterID: letters[0].id) == false, "another workspace's")

            // A replay that fails again keeps the dead letter (counted) and says so.
            await #expect(throws: HelpdeskError.self) { try await bus.replay(workspaceID: h.workspaceID, deadLetterID: letters[0].id) }
            #expect(try await bus.deadLetters(workspaceID: h.workspaceID, limit: 10, before: nil).first?.attempts == 4)
            probe.failures.withLockedValue { $0 = 0 }
            #expect(try await bus.replay(workspaceID: h.workspaceID, deadLetterID: letters[0].id))
            #expect(probe.handled.withLockedValue { $0 } == [event.id])
            #expect(try await bus.deadLetters(workspaceID: h.workspaceID, limit: 10, before: nil).isEmpty)
            try await bus.publish(event)
            #expect(probe.handled.withLockedValue { $0 } == [event.id], "applied once")

            let admin = try await h.admin()
            #expect(try await h.request(.get, "/api/v1/admin/dead-letters", token: admin.accessToken).status == 200)
            #expect(try await h.request(.get, "/api/v1/admin/dead-letters?cursor=\(Cursor.encode("x"))",
                                        token: admin.accessToken).errorFields == ["cursor"])
        }
    }
}
