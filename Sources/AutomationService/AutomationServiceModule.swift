import Foundation
import HelpdeskCore
import Platform

/// The automations service: business-hours schedules today; SLA policies, triggers, time-based rules and macros
/// build on them (issue #20).
public struct AutomationServiceModule: ServiceModule {
    public let name = "automations"
    public let schedules: Schedules

    public init(database: Database, clock: TimeSource = .system) {
        schedules = Schedules(database: database, store: ScheduleStore(), clock: clock)
    }

    public var migrations: ServiceMigrations { AutomationMigrations.all }

    public func addRoutes(to routes: Routes) {
        ScheduleRoutes(schedules: schedules).add(to: routes.group("api/v1/schedules"))
    }
}
