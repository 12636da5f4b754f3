import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// Announces SLA warnings and breaches when their time comes, from the due times stored with the targets: on
/// any replica, after any restart, each exactly once (claimed and published in one transaction through the
/// outbox). A pass every `interval` keeps announcements within that of the due time.
public final class SLABreachScheduler: Service, Sendable {
    let database: Database
    let store: SLATicketStore
    let clock: TimeSource
    let interval: Duration
    let logger: Logger
    /// Tickets claimed per transaction.
    let batchSize: Int
    /// Only this workspace's tickets (tests sharing one database); nil: all.
    let workspaceID: UUID?

    public init(database: Database, clock: TimeSource, interval: Duration = .seconds(15), batchSize: Int = 200,
                workspaceID: UUID? = nil, logger: Logger) {
        self.workspaceID = workspaceID
        self.database = database
        self.store = SLATicketStore()
        self.clock = clock
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { _ = try await self.announceDue() } catch {
                    self.logger.warning("SLA breach pass failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Announces every warning and breach due now; returns how many it announced. Tests call it directly.
    @discardableResult
    public func announceDue() async throws -> Int {
        var announced = 0
        while true {
            let now = clock.now
            let (claimed, batch) = try await database.transaction { [store, batchSize, workspaceID, kind = database.kind] db in
                let fired = try await store.claimAnnouncements(now: now, limit: batchSize, workspaceID: workspaceID, kind: kind, on: db)
                var events: [EventEnvelope] = []
                for ticket in Set(fired.map(\.ticketID)).sorted(by: { $0.lowercased < $1.lowercased }) {
                    let mine = fired.filter { $0.ticketID == ticket }
                    guard let sla = try await store.sla(workspaceID: mine[0].workspaceID, ticketID: ticket, on: db) else { continue }
                    for a in mine {
                        guard let target = sla.targets.first(where: { $0.metric == a.metric }) else { continue }
                        events.append(SLAEvents.event(a.kind == .warning ? .warning : .breached, workspaceID: a.workspaceID,
                                                      sla: sla, metric: target, at: now))
                    }
                }
                if !events.isEmpty { try await Outbox.append(events, on: db) }
                return (Set(fired.map(\.ticketID)).count, events.count)
            }
            announced += batch
            // A short batch was everything due (or the rest is being announced by another replica).
            if claimed < batchSize { return announced }
        }
    }
}
