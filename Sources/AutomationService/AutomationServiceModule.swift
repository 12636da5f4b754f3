import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// The automations service: business-hours schedules, SLA policies and their targets on tickets; triggers, time-based automations;
/// macros build on them (issue #20).
public struct AutomationServiceModule: ServiceModule {
    public let name = "automations"
    public let schedules: Schedules
    public let policies: SLAPolicies
    public let ticketSLAs: TicketSLAs
    public let breachScheduler: SLABreachScheduler
    public let triggers: Triggers
    public let triggerRunner: TriggerRunner
    public let runLog: TriggerRunLog
    public let automations: Triggers
    public let automationPass: AutomationPass

    /// `tickets` changes tickets for the rules, `comments` reads the comment an event added; `workspaceID` confines
    /// the breach scheduler to one workspace (tests sharing a database).
    public init(database: Database, tickets: any TicketActions, comments: any TicketDirectory, clock: TimeSource = .system,
                slaScanInterval: Duration = .seconds(15), automationInterval: Duration = .seconds(3_600), workspaceID: UUID? = nil,
                logger: Logger = Logger(label: "helpdesk.automations")) {
        schedules = Schedules(database: database, store: ScheduleStore(), clock: clock)
        policies = SLAPolicies(database: database, store: SLAPolicyStore(), clock: clock)
        ticketSLAs = TicketSLAs(database: database, store: SLATicketStore(), policies: SLAPolicyStore(), schedules: ScheduleStore(),
                                clock: clock)
        triggers = Triggers(database: database, store: TriggerStore(), clock: clock)
        triggerRunner = TriggerRunner(database: database, store: TriggerStore(), runs: TriggerRunStore(), schedules: ScheduleStore(),
                                      tickets: tickets, comments: comments, clock: clock, logger: logger)
        automations = Triggers(database: database, store: TriggerStore(), clock: clock, kind: .automation)
        automationPass = AutomationPass(database: database, tickets: tickets, clock: clock, interval: automationInterval,
                                        workspaceID: workspaceID, logger: logger)
        runLog = TriggerRunLog(database: database, store: TriggerRunStore(), tickets: tickets)
        breachScheduler = SLABreachScheduler(database: database, clock: clock, interval: slaScanInterval,
                                              workspaceID: workspaceID, logger: logger)
    }

    public var backgroundServices: [any Service] { [breachScheduler, automationPass] }

    public var migrations: ServiceMigrations { AutomationMigrations.all }

    public func addRoutes(to routes: Routes) {
        ScheduleRoutes(schedules: schedules).add(to: routes.group("api/v1/schedules"))
        SLAPolicyRoutes(policies: policies).add(to: routes.group("api/v1/sla-policies"))
        TriggerRoutes(triggers: triggers).add(to: routes.group("api/v1/triggers"))
        TriggerRoutes(triggers: automations).add(to: routes.group("api/v1/automations"))
        TriggerRunRoutes(log: runLog).add(to: routes.group("api/v1/tickets"))
        let slas = ticketSLAs
        routes.group("api/v1/sla/tickets").get(":id") { _, context in
            let p = try context.require(.agent, .admin)
            return try .json(TicketSLAJSON(sla: try await slas.sla(p, ticketID: try context.parameters.uuid("id", what: "ticket"))))
        }
    }

    /// Ticket events move SLA clocks (reading the stream's history, so a new consumer group on Redis does not miss
    /// tickets created while it was being set up) and run triggers (from now on only: a new consumer must not fire
    /// rules on old events).
    public var subscriptions: [EventSubscription] {
        let slas = ticketSLAs
        let runner = triggerRunner
        return [
            EventSubscription(consumer: "automations.sla", eventTypes: SLATicketState.eventTypes, readsHistory: true) { event in
                try await slas.handle(event)
            },
            EventSubscription(consumer: "automations.triggers", eventTypes: TriggerRunner.eventTypes, readsHistory: false) { event in
                try await runner.handle(event)
            },
        ]
    }
}
