import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// The channels service: mailboxes and inbound email (chat, SMS and Slack later).
public struct ChannelServiceModule: ServiceModule {
    public let name = "channels"
    public let mailboxes: Mailboxes
    public let ingestion: MailIngestion
    public let poller: MailboxPoller

    public init(database: Database, users: any UserDirectory, tickets: any TicketDirectory, intake: any TicketIntake,
                files: any FileIntake, secrets: SecretBox, ownAddresses: Set<String>, clock: TimeSource = .system,
                logger: Logger, workspaceID: UUID? = nil) {
        let store = ChannelStore(kind: database.kind)
        mailboxes = Mailboxes(database: database, store: store, users: users, secrets: secrets, clock: clock)
        ingestion = MailIngestion(database: database, store: store, users: users, tickets: tickets, intake: intake, files: files,
                                  ownAddresses: ownAddresses, clock: clock, logger: logger)
        poller = MailboxPoller(database: database, store: store, ingestion: ingestion, secrets: secrets, logger: logger,
                               workspaceID: workspaceID)
    }

    public var migrations: ServiceMigrations { ChannelMigrations.all }

    public func addRoutes(to routes: Routes) {
        ChannelRoutes(mailboxes: mailboxes, ingestion: ingestion, poller: poller).add(to: routes.group("api/v1/mailboxes"))
    }

    public var backgroundServices: [any Service] { [poller] }

    /// Whole messages with their attachments.
    public var bodyLimits: [String: Int] { ["/api/v1/mailboxes": MailIngestion.maxMessageBytes] }

    /// The mailbox with this address, for `helpdesk mail ingest`.
    public func mailbox(workspaceID: UUID, address: String) async throws -> Mailbox? {
        try await mailboxes.store.mailbox(workspaceID: workspaceID, address: EmailAddress.normalize(address),
                                          on: mailboxes.database.sql)
    }
}

extension ChannelServiceModule: ReplyAddresses {
    public func replyAddress(workspaceID: UUID, ticketID: UUID) async throws -> (name: String?, address: String)? {
        guard let mailbox = try await mailboxes.store.mailbox(workspaceID: workspaceID, ticketID: ticketID,
                                                              on: mailboxes.database.sql) else { return nil }
        return (mailbox.name, mailbox.address)
    }
}
