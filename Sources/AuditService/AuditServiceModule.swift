import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// The audit service: consumes every event of every service into a hash-chained log admins can query, verify
/// and export.
public struct AuditServiceModule: ServiceModule {
    public let name = "audit"
    public let log: AuditLog
    /// Records older than this are pruned once a day; nil keeps them forever.
    let retention: TimeInterval?
    let logger: Logger

    public init(database: Database, retentionDays: Int?, clock: TimeSource = .system, logger: Logger) {
        log = AuditLog(database: database, clock: clock)
        retention = retentionDays.map { TimeInterval($0) * 86_400 }
        self.logger = logger
    }

    public var migrations: ServiceMigrations { AuditMigrations.all }

    public func addRoutes(to routes: Routes) {
        AuditRoutes(log: log).add(to: routes.group("api/v1/audit"))
    }

    public var subscriptions: [EventSubscription] {
        let log = self.log
        // Recording is idempotent by event id, so batches from the stream skip the consumer ledger.
        return [EventSubscription(consumer: "audit", eventTypes: ["*"], handleBatch: { events in
            try await log.record(events)
        }) { event in
            try await log.record(event)
        }]
    }

    public var backgroundServices: [any Service] {
        guard let retention else { return [] }
        return [AuditRetention(log: log, retention: retention, logger: logger)]
    }
}

/// Prunes the audit log once a day by the configured retention.
struct AuditRetention: Service {
    let log: AuditLog
    let retention: TimeInterval
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await log.prune(before: log.clock.now.addingTimeInterval(-retention))
                    if removed > 0 { logger.notice("audit records pruned by retention", metadata: ["removed": "\(removed)"]) }
                } catch {
                    logger.warning("audit retention failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(86_400))
            }
        }
    }
}
