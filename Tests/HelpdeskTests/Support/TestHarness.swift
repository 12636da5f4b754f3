import Foundation
import Gateway
import HelpdeskCore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Platform

/// A clock tests move by hand, to reach expiries without waiting.
final class TestClock: Sendable {
    private let box: NIOLockedValueBox<Date>

    init(_ start: Date = Date()) { box = .init(start) }

    var now: Date { box.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { box.withLockedValue { $0 += seconds } }
    /// Moves the clock to `date` (scenarios that start on a given weekday).
    func set(_ date: Date) { box.withLockedValue { $0 = date } }
    var source: TimeSource { TimeSource { self.now } }
}

/// Which database the behavioural suite runs on: SQLite in a temp file by default, PostgreSQL when
/// `HELPDESK_TEST_DATABASE_URL` is set (`./scripts/test` does both).
enum TestBackend {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var name: String { postgresURL == nil ? "sqlite" : "postgres" }

    /// S3 storage for files when `HELPDESK_TEST_BLOB_URL` is set (`./scripts/test` runs the file tests on both).
    static var blobURL: String? {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_BLOB_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Redis for the event bus when `HELPDESK_TEST_REDIS_URL` is set (the PostgreSQL phase of `./scripts/test`).
    static var redisURL: String? {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// With `HELPDESK_TEST_THROUGH_GATEWAY=1` every request of a test goes through a gateway process's proxy to
    /// the services, running live on a loopback port (the second suite run of `./scripts/test`).
    static var throughGateway: Bool {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_THROUGH_GATEWAY"] == "1"
    }

    /// A fresh database URL; every test also gets its own workspace, so tests sharing one PostgreSQL
    /// database never see each other's rows.
    static func makeURL() throws -> (DatabaseURL, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("helpdesk-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let pg = postgresURL { return (try DatabaseURL.parse(pg), dir) }
        return (.sqlite(path: dir + "/helpdesk.sqlite"), dir)
    }
}

/// One application under test: the real composition root, migrated, driven through Hummingbird's test client.
struct Harness: Sendable {
    let system: HelpdeskSystem
    let mailer: MemoryMailer
    /// Where notification emails go in tests.
    let outbox: MemoryMailTransport
    let clock: TestClock
    let client: any TestClientProtocol
    /// The key tokens are signed with, for a second system (a gateway) that must accept them.
    let signingKey: SigningKey

    var workspaceID: UUID { system.configuration.workspaceID }

    /// Builds, migrates and runs `body` against a new application; tears everything down afterwards.
    static func run<T: Sendable>(configure: (inout HelpdeskConfiguration) -> Void = { _ in },
                                 _ body: @Sendable (Harness) async throws -> T) async throws -> T {
        let (url, dir) = try TestBackend.makeURL()
        var config = HelpdeskConfiguration()
        config.databaseURL = url
        config.dataDirectory = dir
        config.bcryptCost = 4
        config.workspaceID = UUIDv7.make()
        config.logLevel = .warning
        config.blobURL = TestBackend.blobURL
        config.redisURL = TestBackend.redisURL
        // Each test gets its own stream, so consumer groups of tests running side by side never meet.
        config.streamSettings.stream = "test:\(config.workspaceID.lowercased)"
        config.streamSettings.blockTime = .milliseconds(50)
        config.relayWorkspaceOnly = true
        // The limiter runs on every test request but only the rate-limit tests make it bite; its Redis keys are
        // the test's own.
        config.rateLimits = RateLimitSettings(policies: [
            .user: .init(capacity: 1_000_000, period: 60), .anonymous: .init(capacity: 1_000_000, period: 60),
            .auth: .init(capacity: 1_000_000, period: 60),
        ])
        config.rateLimits.keyPrefix = "test:\(config.workspaceID.lowercased):ratelimit:"
        config.rateLimitsInRedis = false
        configure(&config)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let mailer = MemoryMailer()
        let outbox = MemoryMailTransport()
        let clock = TestClock()
        let key = SigningKey.generate()
        if TestBackend.throughGateway, config.isGateway, config.proxiedServices.isEmpty {
            return try await runThroughGateway(config: config, logger: logger, key: key, dir: dir, mailer: mailer,
                                               outbox: outbox, clock: clock, body)
        }
        let system = try await HelpdeskSystem.make(configuration: config, logger: logger, mailer: mailer,
                                                   mailTransport: outbox, clock: clock.source, signingKey: key)
        do {
            try await system.migrate()
            let app = Application(router: system.buildRouter(), logger: logger)
            let result = try await app.test(.router) { client in
                try await body(Harness(system: system, mailer: mailer, outbox: outbox, clock: clock, client: client,
                                       signingKey: key))
            }
            await system.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
            return result
        } catch {
            await system.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }
}

extension Harness {
    /// Runs every service in one system served live on a loopback port, and sends the test's requests to a
    /// second system that is only a gateway forwarding to it. `system` is the services' one, so tests that
    /// look at the database or settle events see what the services did.
    static func runThroughGateway<T: Sendable>(config: HelpdeskConfiguration, logger: Logger, key: SigningKey, dir: String,
                                               mailer: MemoryMailer, outbox: MemoryMailTransport, clock: TestClock,
                                               _ body: @Sendable (Harness) async throws -> T) async throws -> T {
        // The services' system is no gateway (no second rate limit or validation), but keeps feeding its
        // realtime hub, which tests drive directly.
        var servicesConfig = config
        servicesConfig.services = Set(ServiceRegistry.names)
        servicesConfig.realtimeWithoutGateway = true
        servicesConfig.trustedProxies = try TrustedProxies.parse("127.0.0.1")
        servicesConfig.upstreams = [:]
        let services = try await HelpdeskSystem.make(configuration: servicesConfig, logger: logger, mailer: mailer,
                                                     mailTransport: outbox, clock: clock.source, signingKey: key)
        var gateway: HelpdeskSystem?
        let (port, running) = await serveLive(services.buildRouter(), logger: logger)
        defer { running.cancel() }
        do {
            try await services.migrate()
            var gatewayConfig = config
            gatewayConfig.services = [ServiceRegistry.gateway]
            gatewayConfig.upstreams = Dictionary(uniqueKeysWithValues: ServiceRegistry.names.map { ($0, ["http://127.0.0.1:\(port)"]) })
            let edge = try await HelpdeskSystem.make(configuration: gatewayConfig, logger: logger, mailer: MemoryMailer(),
                                                     mailTransport: MemoryMailTransport(), clock: clock.source, signingKey: key)
            gateway = edge
            let app = Application(router: edge.buildRouter(), logger: logger)
            let result = try await app.test(.router) { client in
                try await body(Harness(system: services, mailer: mailer, outbox: outbox, clock: clock, client: client,
                                       signingKey: key))
            }
            running.cancel()
            _ = try? await running.value
            await edge.shutdown()
            await services.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
            return result
        } catch {
            running.cancel()
            _ = try? await running.value
            await gateway?.shutdown()
            await services.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }
}

/// Serves `router` on a free loopback port until the returned task is cancelled.
func serveLive<Context: RequestContext>(_ router: Router<Context>, logger: Logger) async -> (port: Int, task: Task<Void, any Error>)
where Context.Source == ApplicationRequestContextSource {
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in
                              portContinuation.yield(channel.localAddress?.port ?? 0)
                              portContinuation.finish()
                          }, logger: logger)
    let task = Task { try await app.run() }
    var port = 0
    for await value in portStream { port = value }
    return (port, task)
}
