import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// The notifications service: consumes ticket events into in-app notifications and emails, with templates,
/// preferences and a record of every delivery.
public struct NotificationServiceModule: ServiceModule {
    public let name = "notifications"
    public let notifier: Notifier
    public let inbox: NotificationInbox
    public let preferences: NotificationPreferences
    public let templates: NotificationTemplates
    public let worker: DeliveryWorker
    /// Fires after in-app notifications were written (the gateway pushes the new unread count to open pages).
    public let inboxSignal = InboxSignal()

    /// - Parameter workspaceID: limits the delivery worker to one workspace (tests sharing a database).
    public init(database: Database, users: any UserDirectory, tickets: any TicketDirectory, transport: any MailTransport,
                sender: MailSender, replyAddresses: (any ReplyAddresses)? = nil, publicURL: String,
                settings: DeliverySettings = DeliverySettings(),
                clock: TimeSource = .system, logger: Logger, workspaceID: UUID? = nil) {
        let store = NotificationStore(kind: database.kind)
        templates = NotificationTemplates(database: database, store: store, clock: clock)
        preferences = NotificationPreferences(database: database, store: store, users: users)
        inbox = NotificationInbox(database: database, store: store, clock: clock)
        let worker = DeliveryWorker(database: database, store: store, senders: [EmailSender(transport: transport, sender: sender)],
                                    settings: settings, clock: clock, logger: logger, workspaceID: workspaceID)
        self.worker = worker
        notifier = Notifier(database: database, store: store, users: users, tickets: tickets, templates: templates,
                            preferences: preferences, sender: sender, replyAddresses: replyAddresses, publicURL: publicURL,
                            clock: clock,
                            queued: { worker.nudge() }, inboxChanged: { [inboxSignal] in inboxSignal.fire($0, $1) })
    }

    public var migrations: ServiceMigrations { NotificationMigrations.all }

    public func addRoutes(to routes: Routes) {
        NotificationRoutes(inbox: inbox, preferences: preferences, templates: templates)
            .add(notifications: routes.group("api/v1/notifications"), templates: routes.group("api/v1/notification-templates"))
    }

    public var subscriptions: [EventSubscription] {
        let notifier = self.notifier
        return [EventSubscription(consumer: "notifications", eventTypes: NotificationRules.eventTypes,
                                   readsHistory: false) { event in
            try await notifier.handle(event)
        }]
    }

    public var backgroundServices: [any Service] { [worker] }
}
