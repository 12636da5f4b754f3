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
        configure(&config)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let mailer = MemoryMailer()
        let outbox = MemoryMailTransport()
        let clock = TestClock()
        let system = try await HelpdeskSystem.make(configuration: config, logger: logger, mailer: mailer,
                                                   mailTransport: outbox, clock: clock.source, signingKey: .generate())
        do {
            try await system.migrate()
            let app = Application(router: system.buildRouter(), logger: logger)
            let result = try await app.test(.router) { client in
                try await body(Harness(system: system, mailer: mailer, outbox: outbox, clock: clock, client: client))
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
