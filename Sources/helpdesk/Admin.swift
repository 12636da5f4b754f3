import ArgumentParser
import Foundation
import Gateway
import HelpdeskCore

/// `helpdesk admin …`: workspace administration from the command line.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Administer the workspace.", subcommands: [Create.self])

    /// `helpdesk admin create --email E --password P [--name N]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace admin.")

        @OptionGroup var options: GlobalOptions
        @Option(help: "The admin's email address.") var email: String
        @Option(help: "The admin's password (8 to 128 characters).") var password: String
        @Option(help: "The admin's display name.") var name: String = "Administrator"

        func run() async throws {
            let (config, logger) = try options.configuration()
            let system = try await HelpdeskSystem.make(configuration: config, logger: logger)
            do {
                try await system.migrate()
                let user = try await system.users.accounts.createAdmin(
                    workspaceID: config.workspaceID, email: email, name: name, password: password)
                try await system.relay.drain()
                await system.shutdown()
                print("Created admin \(user.email) (\(user.id.lowercased))")
            } catch let error as HelpdeskError {
                await system.shutdown()
                let fields = error.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
                throw ValidationError(fields.isEmpty ? (error.detail ?? error.title) : fields)
            } catch {
                await system.shutdown()
                throw error
            }
        }
    }
}
