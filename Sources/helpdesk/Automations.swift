import ArgumentParser
import Foundation
import Gateway
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `helpdesk automations run`: one time-based automation pass now, outside the hourly schedule.
struct Automations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time-based automations.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every workspace's time-based automations once, now.",
            discussion: """
                Acts as the hourly pass does (each automation once per ticket until its conditions stop holding), \
                whether or not a server's pass is due, and prints {"tickets_acted_on":…,"seconds":…,"cpu_seconds":…}.
                """)

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (config, logger) = try options.configuration()
            let system = try await HelpdeskSystem.make(configuration: config, logger: logger)
            do {
                try await system.migrate()
                let cpu = Self.cpuSeconds()
                let started = ContinuousClock.now
                let acted = try await system.automations.automationPass.runAll()
                let wall = ContinuousClock.now - started
                let used = Self.cpuSeconds() - cpu
                // The changes' events are published before exiting, so their consumers see them.
                try await system.relay.drain()
                await system.shutdown()
                let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
                print(String(format: #"{"tickets_acted_on":%d,"seconds":%.3f,"cpu_seconds":%.3f}"#, acted, seconds, used))
            } catch {
                await system.shutdown()
                throw error
            }
        }

        /// User and system CPU this process has used.
        static func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
            return s(usage.ru_utime) + s(usage.ru_stime)
        }
    }
}
