import ArgumentParser
import Foundation
import Gateway

/// `helpdesk seed --tickets N --customers M --agents K`: a realistic workspace for benchmarks and demos.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the workspace with realistic agents, customers and tickets (benchmarks, demos).",
        discussion: """
            Users are agent<n>@bench.example and customer<n>@bench.example, all with --password. Rows are written \
            directly, in large statements, without events: nothing is emailed, audited or shown in histories. \
            Running it again adds tickets and keeps the users.
            """)

    @OptionGroup var options: GlobalOptions
    @Option(help: "Tickets to create.") var tickets: Int = 100_000
    @Option(help: "Customers (default: tickets / 10, at least 1).") var customers: Int?
    @Option(help: "Agents.") var agents: Int = 20
    @Option(help: "The password of every seeded user.") var password: String = "bench-password"
    @Option(help: "Random seed: the same seed writes the same data.") var randomSeed: UInt64 = 42

    func validate() throws {
        guard tickets >= 0, tickets <= 50_000_000 else { throw ValidationError("--tickets: 0 to 50,000,000") }
        guard agents >= 1, agents <= 100_000 else { throw ValidationError("--agents: 1 to 100,000") }
        if let customers { guard customers >= 1, customers <= 10_000_000 else { throw ValidationError("--customers: 1 to 10,000,000") } }
        guard password.count >= 8 else { throw ValidationError("--password: at least 8 characters") }
    }

    func run() async throws {
        let (config, logger) = try options.configuration()
        let system = try await HelpdeskSystem.make(configuration: config, logger: logger)
        do {
            try await system.migrate()
            let summary = try await system.seed(
                tickets: tickets, customers: customers ?? max(1, tickets / 10), agents: agents, password: password,
                randomSeed: randomSeed) { print($0) }
            await system.shutdown()
            print(String(format: "Seeded %d agents, %d customers, %d tickets in %.1f s (%.0f tickets/s)",
                         summary.agents, summary.customers, summary.tickets, summary.seconds,
                         Double(summary.tickets) / max(summary.seconds, 0.001)))
        } catch {
            await system.shutdown()
            throw error
        }
    }
}
