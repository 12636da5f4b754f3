import Foundation
import HelpdeskCore
import Platform

/// The tickets service: tickets, their conversation and their history.
public struct TicketServiceModule: ServiceModule {
    public let name = "tickets"
    public let tickets: Tickets

    public init(database: Database, directory: any UserDirectory, attachments: (any AttachmentRegistry)? = nil,
                clock: TimeSource = .system) {
        tickets = Tickets(database: database, directory: directory, attachments: attachments, clock: clock)
    }

    public var migrations: ServiceMigrations { TicketMigrations.all }

    public func addRoutes(to routes: Routes) {
        TicketBulkRoutes(tickets: tickets).add(to: routes.group("api/v1/tickets"))
        TicketRoutes(tickets: tickets).add(to: routes.group("api/v1/tickets"))
        TicketFieldRoutes(fields: tickets.fields).add(to: routes.group("api/v1/ticket-fields"))
        ViewRoutes(views: TicketViews(tickets: tickets)).add(to: routes.group("api/v1/views"), tags: routes.group("api/v1/tags"))
    }

    /// The SLA snapshots the automations service publishes, copied onto tickets. Reads history: a ticket's copy
    /// must not miss the events published while the consumer group was first set up.
    public var subscriptions: [EventSubscription] {
        let tickets = tickets
        return [EventSubscription(consumer: "tickets.sla", eventTypes: Tickets.slaEventTypes, readsHistory: true) { event in
            try await tickets.copySLA(event)
        }]
    }
}
