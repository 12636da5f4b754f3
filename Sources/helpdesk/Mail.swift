import ArgumentParser
import Foundation
import Gateway
import HelpdeskCore
import Platform

/// `helpdesk mail …`: email channel tools.
struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Email channel tools.", subcommands: [Ingest.self])

    /// `helpdesk mail ingest --mailbox support@example.com < message.eml`: for an MTA's pipe transport.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest one message (RFC 5322) from standard input into a mailbox.",
            discussion: """
                Prints the outcome as JSON: {"action":"created|replied|ignored","ticket_id":…,"comment_id":…}.
                Exits 0 when the message was handled or deliberately ignored, 65 (EX_DATAERR) when it was kept as a \
                failed message, 75 (EX_TEMPFAIL) when the database could not be reached, so the MTA retries.
                """)

        @OptionGroup var options: GlobalOptions
        @Option(help: "The address of the mailbox the message was sent to.") var mailbox: String

        func run() async throws {
            let (config, logger) = try options.configuration()
            let raw = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            guard !raw.isEmpty else { throw ValidationError("no message on standard input") }
            let system: HelpdeskSystem
            do {
                system = try await HelpdeskSystem.make(configuration: config, logger: logger)
                try await system.migrate()
            } catch {
                FileHandle.standardError.write(Data("helpdesk: \(error)\n".utf8))
                throw ExitCode(75)
            }
            do {
                guard let box = try await system.channels.mailbox(workspaceID: config.workspaceID, address: mailbox) else {
                    throw ValidationError("no mailbox with the address \(mailbox)")
                }
                let result = try await system.channels.ingestion.ingest(mailbox: box, raw: raw)
                try await system.relay.drain()
                await system.shutdown()
                print(String(decoding: try EventJSON.encoder().encode(result), as: UTF8.self))
            } catch let error as HelpdeskError {
                await system.shutdown()
                FileHandle.standardError.write(Data("helpdesk: \(error.detail ?? error.title)\n".utf8))
                throw ExitCode(error.status >= 500 ? 75 : 65)
            } catch {
                await system.shutdown()
                throw error
            }
        }
    }
}
