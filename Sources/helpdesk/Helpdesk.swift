import ArgumentParser

/// `helpdesk`: one binary for every service.
@main
struct Helpdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helpdesk",
        abstract: "An open-source helpdesk: tickets, customers, agents — one binary.",
        subcommands: [Serve.self, Migrate.self, Admin.self, Mail.self, Seed.self, Automations.self],
        defaultSubcommand: Serve.self)
}
