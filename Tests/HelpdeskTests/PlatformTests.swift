import Foundation
import Gateway
import HelpdeskCore
import Logging
import NIOConcurrencyHelpers
import Platform
import Testing

@Suite("Platform")
struct PlatformTests {
    @Test("cursors round-trip and refuse foreign input")
    func cursors() throws {
        let key = "01a21493-0863-7e04-8eb2-53b6937fa54d"
        #expect(Cursor.decode(Cursor.encode(key)) == key)
        #expect(Cursor.decode("bm90LWEtY3Vyc29y") == nil)
        // The hand-written encoder writes what Foundation's base64, made URL-safe and unpadded, writes, for every
        // padding case and for bytes that map to "-" and "_".
        for key in ["", "a", "ab", "abc", "updated_at:1764000000000:\(key)", "é?>~\u{FFFF}", "\u{1F600}?~~?"] {
            let foundation = Data(("v1:" + key).utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Cursor.encode(key) == foundation, "\(key)")
            #expect(Cursor.decode(Cursor.encode(key)) == key)
        }
        #expect(throws: HelpdeskError.self) { try PageRequest.parse(limit: "0", cursor: nil) }
        #expect(try PageRequest.parse(limit: nil, cursor: nil).limit == 25)
    }

    @Test("UUIDv7 ids sort by creation time")
    func uuidOrder() {
        let a = UUIDv7.make(at: Date(timeIntervalSince1970: 1_000))
        let b = UUIDv7.make(at: Date(timeIntervalSince1970: 1_001))
        #expect(a.lowercased < b.lowercased)
        #expect(a.lowercased.dropFirst(14).first == "7")
        #expect(a.uuid.8 & 0xC0 == 0x80, "RFC 9562 variant")
        #expect(UUID(uuidString: a.uuidString) == a && UUID.parse(a.lowercased) == a)
        // The first 48 bits are the Unix time in milliseconds (ids made earlier in this process may be later than
        // the dates above, so the check uses the clock).
        let start = UInt64(Date().timeIntervalSince1970 * 1000)
        let fresh = UUIDv7.make()
        let millis = withUnsafeBytes(of: fresh.uuid) { $0.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        #expect(millis >= start && millis < start + 60_000)
        let now = Date()
        let burst = (0..<5000).map { _ in UUIDv7.make(at: now).lowercased }
        #expect(burst == burst.sorted(), "monotonic within one millisecond")
        #expect(Set(burst).count == burst.count)
    }

    @Test("email syntax and normalization")
    func emails() {
        #expect(EmailAddress.isValid("a.b+c@example.co.uk"))
        for bad in ["", "a", "a@b", "@example.com", "a@@example.com", "a b@example.com", "a@example..com", "a@.example.com"] {
            #expect(!EmailAddress.isValid(bad), "\(bad)")
        }
        #expect(EmailAddress.normalize("  Ann@Example.COM ") == "ann@example.com")
    }

    @Test("configuration: flags beat environment beat defaults; bad values name the setting")
    func configuration() throws {
        let defaults = try HelpdeskConfiguration.resolve(flags: [:], environment: [:])
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.port == 8080)
        #expect(defaults.effectiveDatabaseURL == .sqlite(path: "./data/helpdesk.sqlite"))
        #expect(defaults.services == ["gateway", "auth", "users", "tickets", "files", "audit", "notifications", "channels", "automations"])
        #expect(defaults.rateLimits == .defaults)
        #expect(defaults.shutdownTimeout == 30)
        #expect(try HelpdeskConfiguration.resolve(flags: [:], environment: ["HELPDESK_SHUTDOWN_TIMEOUT": "5"]).shutdownTimeout == 5)
        let env = ["HELPDESK_PORT": "9000", "HELPDESK_HOST": "0.0.0.0", "HELPDESK_SERVICES": "auth",
                   "HELPDESK_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db", "HELPDESK_LOG_FORMAT": "json"]
        let resolved = try HelpdeskConfiguration.resolve(flags: ["port": "9001"], environment: env)
        #expect(resolved.port == 9001)
        #expect(resolved.host == "0.0.0.0")
        #expect(resolved.services == ["auth"])
        #expect(resolved.logFormat == .json)
        #expect(resolved.effectiveDatabaseURL.kind == .postgres)
        #expect(resolved.effectiveDatabaseURL.redacted.contains("***"))
        for (flags, setting) in [(["port": "http"], "port"), (["services": "auth,billing"], "services"),
                                 (["database-url": "mysql://x"], "database-url"), (["log-format": "xml"], "log-format"),
                                 (["bcrypt-cost": "99"], "bcrypt-cost"), (["denied-file-types": "exe"], "denied-file-types"),
                                 (["blob-url": "ftp://x"], "blob-url"), (["clamd-url": "clamd"], "clamd-url"),
                                 (["redis-url": "localhost:6379"], "redis-url"), (["event-claim-timeout": "0"], "event-claim-timeout"),
                                 (["audit-retention-days": "-1"], "audit-retention-days"), (["smtp-url": "mail.example.com"], "smtp-url"),
                                 (["mail-from": "nobody"], "mail-from"), (["delivery-max-attempts": "0"], "delivery-max-attempts"),
                                 (["delivery-retry-seconds": "-5"], "delivery-retry-seconds"),
                                 (["shutdown-timeout": "0"], "shutdown-timeout"), (["shutdown-timeout": "soon"], "shutdown-timeout"),
                                 (["rate-limits": "user=0/60"], "rate-limits"), (["rate-limits": "admins=5/60"], "rate-limits"),
                                 (["services": "gateway", "upstream": "tickets=ftp://x"], "upstream"),
                                 (["services": "gateway", "upstream": "tickets=http://u:p@h:1"], "upstream"),
                                 (["services": "gateway", "upstream": "tickets=http://h:1#x"], "upstream"),
                                 (["trusted-proxies": "10.0.0.0/33"], "trusted-proxies"),
                                 (["trusted-proxies": "gateway"], "trusted-proxies")] {
            do {
                _ = try HelpdeskConfiguration.resolve(flags: flags, environment: [:])
                Issue.record("\(flags) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.hasPrefix(setting))
            }
        }
        // Upstreams are checked when serving (a gateway's other commands need not have them right).
        for flags in [["services": "gateway,users,auth,files,audit,notifications"],
                      ["services": "tickets", "upstream": "tickets=http://127.0.0.1:1"],
                      ["upstream": "tickets=http://127.0.0.1:1"]] {
            let config = try HelpdeskConfiguration.resolve(flags: flags, environment: [:])
            #expect(throws: ConfigurationError.self, "\(flags)") { try config.checkUpstreams() }
        }
        let gateway = try HelpdeskConfiguration.resolve(flags: ["services": "gateway"],
                                                        environment: ["HELPDESK_UPSTREAMS": "users=http://u:1 auth=http://a:1\ntickets=http://t1:1,http://t2:1 files=http://f:1 audit=http://x:1 notifications=http://n:1 channels=http://c:1 automations=http://am:1"])
        try gateway.checkUpstreams()
        #expect(gateway.upstreams["tickets"] == ["http://t1:1", "http://t2:1"])
        let proxies = try TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, fd00::/8")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "6.6.6.6, 203.0.113.9, 10.9.9.9") == "203.0.113.9")
        #expect(proxies.client(peer: "198.51.100.1", forwardedFor: "203.0.113.9") == "198.51.100.1", "an untrusted peer's header is ignored")
        #expect(proxies.client(peer: "fd00::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "garbage, 203.0.113.9") == "203.0.113.9")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "203.0.113.9, garbage") == "127.0.0.1")
        #expect(throws: ConfigurationError.self) {
            try HelpdeskConfiguration.resolve(flags: [:], environment: ["HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "a@example.com"])
        }
    }

    @Test("--services decides which routes a process serves")
    func serviceSelection() async throws {
        try await Harness.run(configure: { $0.services = ["auth"] }) { (h: Harness) async throws in
            #expect(try await h.request(.get, "/.well-known/jwks.json").status == 200)
            #expect(try await h.request(.get, "/api/v1/users").status == 404)
        }
        try await Harness.run(configure: { $0.services = ["users"] }) { (h: Harness) async throws in
            #expect(try await h.request(.post, "/api/v1/auth/login", json: ["email": "a@example.com", "password": "x"]).status == 404)
            #expect(try await h.request(.get, "/api/v1/users").status == 401)
        }
    }

    @Test("migrations are recorded once and re-running them changes nothing")
    func migrationsIdempotent() async throws {
        try await Harness.run { h in
            let again = try await h.system.migrate()
            #expect(again.isEmpty)
            let rows = try await h.system.database.sql.raw("SELECT service, version FROM schema_migrations").all()
            let labels = Set(try rows.map { "\(try $0.decode(column: "service", as: String.self))@\(try $0.decode(column: "version", as: Int.self))" })
            #expect(labels.isSuperset(of: ["platform@1", "users@1", "auth@1"]))
        }
    }

    @Test("concurrent migrators apply each migration exactly once")
    func concurrentMigrations() async throws {
        let (url, dir) = try TestBackend.makeURL()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = { var l = Logger(label: "test"); l.logLevel = .critical; return l }()
        let database = try Database(url: url, logger: logger)
        let table = "probe_\(UUID().uuidString.prefix(8).lowercased())"
        let migrations = [ServiceMigrations(service: table, migrations: [
            Migration(version: 1, name: "create") { _ in ["CREATE TABLE \(table) (n INTEGER)"] },
            Migration(version: 2, name: "insert") { _ in ["INSERT INTO \(table) (n) VALUES (1)"] },
        ])]
        do {
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator(database: database, logger: logger).migrate(migrations) } }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(applied.sorted() == ["\(table)@1", "\(table)@2"])
            let count = try await database.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self)
            #expect(count == 1)
            try await database.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    @Test("a failing transaction leaves nothing behind, its outbox event included")
    func transactionRollback() async throws {
        try await Harness.run { h in
            struct Boom: Error {}
            let event = EventEnvelope(type: "test.rolled_back", workspaceID: h.workspaceID, actor: .system,
                                      subject: EventSubject(type: "test", id: UUID()), occurredAt: Date())
            await #expect(throws: Boom.self) {
                try await h.system.database.transaction { db in
                    try await Outbox.append(event, on: db)
                    throw Boom()
                }
            }
            let row = try await h.system.database.sql.raw("SELECT id FROM outbox WHERE id = \(bind: event.id.lowercased)").first()
            #expect(row == nil)
        }
    }

    @Test("the bus delivers each event once per consumer and retries only the consumer that failed")
    func busDelivery() async throws {
        try await Harness.run { h in
            let seen = NIOLockedValueBox<[String: Int]>([:])
            let failOnce = NIOLockedValueBox(true)
            let type = "test.\(UUID().uuidString.prefix(8))"
            // Driven directly: the relays of tests running beside this one share the PostgreSQL outbox.
            let bus = InProcessEventBus(database: h.system.database, subscriptions: [
                EventSubscription(consumer: "steady-\(type)", eventTypes: [type]) { _ in
                    seen.withLockedValue { $0["steady", default: 0] += 1 }
                },
                EventSubscription(consumer: "flaky-\(type)", eventTypes: [type]) { _ in
                    if failOnce.withLockedValue({ let f = $0; $0 = false; return f }) { throw HelpdeskError.internalError() }
                    seen.withLockedValue { $0["flaky", default: 0] += 1 }
                },
                EventSubscription(consumer: "other-\(type)", eventTypes: ["test.other"]) { _ in
                    seen.withLockedValue { $0["other", default: 0] += 1 }
                },
            ], logger: Logger(label: "test"), retryBase: 0)
            let event = EventEnvelope(type: type, workspaceID: h.workspaceID, actor: .system,
                                      subject: EventSubject(type: "test", id: UUID()), occurredAt: Date())
            await #expect(throws: HelpdeskError.self) { try await bus.publish(event) }
            #expect(seen.withLockedValue { $0 } == ["steady": 1])
            try await bus.publish(event)
            try await bus.publish(event)
            #expect(seen.withLockedValue { $0 } == ["steady": 1, "flaky": 1])
        }
    }

    @Test("the relay publishes committed events and marks them; a failing bus leaves them pending")
    func relayMarksPublished() async throws {
        try await Harness.run { h in
            struct Refusing: EventBus {
                func publish(_ event: EventEnvelope) async throws { throw HelpdeskError.unavailable("bus down") }
            }
            let event = EventEnvelope(type: "test.relay", workspaceID: h.workspaceID, actor: .system,
                                      subject: EventSubject(type: "test", id: UUID()), occurredAt: Date())
            try await h.system.database.transaction { db in try await Outbox.append(event, on: db) }
            let down = OutboxRelay(database: h.system.database, bus: Refusing(), logger: Logger(label: "test"))
            await #expect(throws: HelpdeskError.self) { try await down.drain() }
            func publishedAt() async throws -> Int64?? {
                try await h.system.database.sql.raw("""
                    SELECT published_at FROM outbox WHERE id = \(bind: event.id.lowercased)
                    """).first()?.decode(column: "published_at", as: Int64?.self)
            }
            // On PostgreSQL the database is shared with tests running beside this one, whose relays may
            // publish the row meanwhile; SQLite's database is this test's alone.
            if h.system.database.kind == .sqlite { #expect(try await publishedAt() == .some(nil)) }
            try await h.system.relay.drain()
            #expect(try await publishedAt() != .some(nil))
        }
    }

    @Test("a bus failing mid-page: the events before it are marked, it and later ones stay pending, in order")
    func relayMarksPrefix() async throws {
        try await Harness.run { h in
            final class FailingThird: EventBus, Sendable {
                let published = NIOLockedValueBox<[String]>([])
                func publish(_ event: EventEnvelope) async throws {
                    try published.withLockedValue { published in
                        if event.type == "test.third" { throw HelpdeskError.unavailable("bus down") }
                        published.append(event.type)
                    }
                }
            }
            // A workspace of its own: no other relay (this process's, or a service's in the gateway run) touches it.
            let workspaceID = UUIDv7.make()
            let events = ["test.first", "test.second", "test.third", "test.fourth"].map {
                EventEnvelope(type: $0, workspaceID: workspaceID, actor: .system,
                              subject: EventSubject(type: "test", id: UUID()), occurredAt: Date())
            }
            try await h.system.database.transaction { db in try await Outbox.append(events, on: db) }
            let bus = FailingThird()
            let relay = OutboxRelay(database: h.system.database, bus: bus, logger: Logger(label: "test"),
                                    workspaceID: workspaceID)
            await #expect(throws: HelpdeskError.self) { try await relay.drain() }
            #expect(bus.published.withLockedValue { $0 } == ["test.first", "test.second"])
            let pending = try await h.system.database.sql.raw("""
                SELECT type FROM outbox WHERE workspace_id = \(bind: workspaceID.lowercased) AND published_at IS NULL
                ORDER BY seq
                """).all().map { try $0.decode(column: "type", as: String.self) }
            #expect(pending == ["test.third", "test.fourth"])
        }
    }

    @Test("a commit wakes the outbox relay only when its transaction wrote events")
    func commitSignals() async throws {
        try await Harness.run { h in
            // A pool of its own, so its signals have one listener: this test.
            let database = try Database(url: h.system.database.url, logger: Logger(label: "test"))
            let signals = NIOLockedValueBox(0)
            let listener = Task { for await _ in database.commitSignals { signals.withLockedValue { $0 += 1 } } }
            try await database.transaction { try await $0.raw("SELECT 1").run() }
            try await database.exclusive { try await database.sql.raw("SELECT 1").run() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(signals.withLockedValue { $0 } == 0, "a transaction without events")
            let event = EventEnvelope(type: "test.signal", workspaceID: UUIDv7.make(), actor: .system,
                                      subject: EventSubject(type: "test", id: UUID()), occurredAt: Date())
            try await database.transaction { try await Outbox.append(event, on: $0) }
            for _ in 0..<100 where signals.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(signals.withLockedValue { $0 } == 1, "a transaction that wrote an event")
            await database.shutdown()
            await listener.value
        }
    }

    @Test("the bootstrap admin is created once, on a workspace without admins")
    func bootstrapAdmin() async throws {
        try await Harness.run(configure: { $0.bootstrapAdmin = ("boot@example.com", "boot-password", "Boot") }) { h in
            try await h.system.bootstrapAdminIfNeeded()
            try await h.system.bootstrapAdminIfNeeded()
            let admin = try await h.login("boot@example.com", "boot-password")
            let admins = try await h.request(.get, "/api/v1/users?role=admin", token: admin.accessToken)
            #expect(admins.items.count == 1)
        }
    }
}

extension PlatformTests {
    @Test("published outbox rows and ledger rows past the retention are deleted, in chunks; pending rows never")
    func outboxTrim() async throws {
        try await Harness.run { h in
            let sql = h.system.database.sql
            let now = Date()
            let old = now.addingTimeInterval(-30 * 86_400).epochMilliseconds
            let recent = now.addingTimeInterval(-60).epochMilliseconds
            func ids(_ n: Int) -> [String] { (0..<n).map { _ in UUIDv7.make().lowercased } }
            let (oldPublished, oldPending, recentPublished) = (ids(7), ids(2), ids(2))
            for (id, created, published) in oldPublished.map({ ($0, old, Optional(old)) })
                + oldPending.map({ ($0, old, Int64?.none) }) + recentPublished.map({ ($0, recent, Optional(recent)) }) {
                // A real envelope: relays of tests running beside this one may read the pending rows.
                let event = EventEnvelope(id: UUID(uuidString: id)!, type: "trim.test", workspaceID: h.workspaceID,
                                          actor: .system, subject: EventSubject(type: "test", id: UUID()), occurredAt: now)
                let envelope = String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
                try await h.system.database.exclusive {
                    try await sql.raw("""
                        INSERT INTO outbox (id, workspace_id, type, envelope, created_at, published_at)
                        VALUES (\(bind: id), \(bind: h.workspaceID.lowercased), 'trim.test', \(bind: envelope),
                                \(bind: created), \(bind: published))
                        """).run()
                }
            }
            // Its own consumer name: the ledger is shared by every test on the same database.
            let consumer = "trim-\(UUID())"
            let (oldHandled, recentHandled) = (ids(7), ids(1))
            for (id, at) in oldHandled.map({ ($0, old) }) + recentHandled.map({ ($0, recent) }) {
                try await h.system.database.exclusive {
                    try await sql.raw("""
                        INSERT INTO consumed_events (consumer, event_id, handled_at) VALUES (\(bind: consumer), \(bind: id), \(bind: at))
                        """).run()
                }
            }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let trimmer = OutboxTrimmer(database: h.system.database, logger: logger, retention: .seconds(7 * 86_400), chunk: 3)
            try await trimmer.trim(now: now)

            let mine = (oldPublished + oldPending + recentPublished).map { "'\($0)'" }.joined(separator: ",")
            let left = Set(try await sql.raw("SELECT id FROM outbox WHERE id IN (\(unsafeRaw: mine))").all()
                .map { try $0.decode(column: "id", as: String.self) })
            #expect(left == Set(oldPending + recentPublished), "old published rows gone (three chunks); pending and recent kept")
            try await h.system.database.exclusive {
                try await sql.raw("DELETE FROM outbox WHERE id IN (\(unsafeRaw: mine))").run()
            }
            let handled = try await sql.raw("SELECT event_id FROM consumed_events WHERE consumer = \(bind: consumer)").all()
                .map { try $0.decode(column: "event_id", as: String.self) }
            #expect(handled == recentHandled)
        }
    }
}

@Suite("Backend")
struct BackendTests {
    @Test("the suite runs on the backend ./scripts/test asked for")
    func backendInUse() async throws {
        try await Harness.run { h in
            let expected: DatabaseKind = TestBackend.postgresURL == nil ? .sqlite : .postgres
            #expect(h.system.database.kind == expected)
            let version = try await h.system.database.sql.raw(
                expected == .postgres ? "SELECT version() AS v" : "SELECT sqlite_version() AS v").first()?
                .decode(column: "v", as: String.self)
            #expect(version?.isEmpty == false)
            let blobs = String(describing: type(of: h.system.files.files.blobs))
            #expect(blobs == (TestBackend.blobURL == nil ? "DiskBlobStore" : "S3BlobStore"))
        }
    }
}
