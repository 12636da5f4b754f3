import Foundation
import HelpdeskCore
import Platform

/// The automations service: business-hours schedules and SLA policies today; applying them to tickets, triggers, time-based rules and macros
/// build on them (issue #20).
public struct AutomationServiceModule: ServiceModule {
    public let name = "automations"
    public let schedules: Schedules
    public let policies: SLAPolicies

    public init(database: Database, clock: TimeSource = .system) {
        schedules = Schedules(database: database, store: ScheduleStore(), clock: clock)
        policies = SLAPolicies(database: database, store: SLAPolicyStore(), clock: clock)
    }

    public var migrations: ServiceMigrations { AutomationMigrations.all }

    public func addRoutes(to routes: Routes) {
        ScheduleRoutes(schedules: schedules).add(to: routes.group("api/v1/schedules"))
        SLAPolicyRoutes(policies: policies).add(to: routes.group("api/v1/sla-policies"))
    }
}
