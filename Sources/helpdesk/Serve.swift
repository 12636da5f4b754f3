import ArgumentParser
import Gateway
import Hummingbird
import Platform
import ServiceLifecycle

/// `helpdesk serve`: migrate, then serve every configured service until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the services (all by default) over HTTP.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let (config, logger) = try options.configuration()
        // Only serving forwards, so only serving checks the upstreams (`migrate` in a gateway's container need not).
        do { try config.checkUpstreams() } catch let error as ConfigurationError { throw ValidationError(error.description) }
        let system = try await HelpdeskSystem.make(configuration: config, logger: logger)
        do {
            try await system.migrate()
            try await system.bootstrapAdminIfNeeded()
        } catch {
            await system.shutdown()
            throw error
        }
        logger.notice("helpdesk starting", metadata: [
            "address": "\(config.host):\(config.port)", "database": "\(config.effectiveDatabaseURL.redacted)",
            "services": "\(config.services.sorted().joined(separator: ","))",
        ])
        // Hummingbird's runService waits for in-flight work without limit: one stalled upload would keep a
        // stopping server up forever. After the timeout the remaining work is cancelled.
        var group = ServiceGroupConfiguration(services: [.init(service: system.buildApplication())],
                                              gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(config.shutdownTimeout)
        try await ServiceGroup(configuration: group).run()
    }
}

/// `helpdesk migrate`: apply pending migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let (config, logger) = try options.configuration()
        let system = try await HelpdeskSystem.make(configuration: config, logger: logger)
        do {
            let applied = try await system.migrate()
            print(applied.isEmpty ? "Database is up to date." : "Applied: \(applied.joined(separator: ", "))")
            await system.shutdown()
        } catch {
            await system.shutdown()
            throw error
        }
    }
}
