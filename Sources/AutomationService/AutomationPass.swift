import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// Time-based automations: every `interval` (an hour by default), one replica's pass looks at each workspace's live
/// tickets a page at a time and runs its automations in position order, each seeing the earlier ones' changes. An
/// automation acts on a ticket once, then not again until its conditions stop holding for it (its firing is kept
/// until then). The changes go through the tickets service as the automations' (`TicketActions`), in one update.
public final class AutomationPass: Service, Sendable {
    let database: Database
    let store: TriggerStore
    let scan: AutomationScan
    let runs: TriggerRunStore
    let tickets: any TicketActions
    let clock: TimeSource
    let interval: Duration
    let logger: Logger
    let pageSize: Int
    /// Only this workspace's tickets (tests sharing one database); nil: all.
    let workspaceID: UUID?

    public init(database: Database, tickets: any TicketActions, clock: TimeSource, interval: Duration = .seconds(3_600),
                pageSize: Int = 500, workspaceID: UUID? = nil, logger: Logger) {
        self.database = database
        self.store = TriggerStore()
        self.scan = AutomationScan()
        self.runs = TriggerRunStore()
        self.tickets = tickets
        self.clock = clock
        self.interval = interval
        self.pageSize = pageSize
        self.workspaceID = workspaceID
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await self.scan.claimPass(now: self.clock.now, interval: self.interval, on: self.database.sql) {
                        let acted = try await self.runAll()
                        self.logger.info("automation pass done", metadata: ["tickets_acted_on": "\(acted)"])
                    }
                } catch {
                    self.logger.warning("automation pass failed; will retry", metadata: ["error": "\(error)"])
                }
                // Wake often enough that a pass claimed by a replica that died is taken over within a minute of its time.
                try? await Task.sleep(for: min(self.interval, .seconds(60)))
            }
        }
    }

    /// Runs every workspace's automations once now; returns how many tickets they acted on. Tests call it directly.
    @discardableResult
    public func runAll() async throws -> Int {
        var acted = 0
        var workspaces: [UUID]
        if let workspaceID { workspaces = [workspaceID] } else { workspaces = try await store.workspacesWithAutomations(on: database.sql) }
        for ws in workspaces { acted += try await run(workspaceID: ws) }
        return acted
    }

    /// One workspace's pass.
    public func run(workspaceID ws: UUID) async throws -> Int {
        let now = clock.now
        let db = database.sql
        let automations = try await store.triggers(workspaceID: ws, kind: .automation, on: db).filter { $0.active && $0.problems.isEmpty }
        try await scan.releaseEnded(workspaceID: ws, on: db)
        guard !automations.isEmpty else { return 0 }
        let needsSLA = automations.contains { ($0.all + $0.any).contains { $0.field == "sla" } }
        var after: UUID?
        var acted = 0
        while true {
            let page = try await scan.candidates(workspaceID: ws, automations: automations, now: now, after: after, limit: pageSize, on: db)
            guard let last = page.last else { break }
            after = last.ticketID
            let ids = page.map(\.ticketID)
            let fired = try await scan.firings(workspaceID: ws, ticketIDs: ids, on: db)
            let sla = needsSLA ? try await scan.slaStates(workspaceID: ws, ticketIDs: ids, now: now, on: db) : [:]
            var released: [AutomationScan.Firing] = []
            for state in page {
                let ticket = TimedTicket(state: state)
                guard ticket.anchors.live else { continue }
                var context = ticket.context(at: now, sla: sla[state.ticketID] ?? "ok")
                var firing: [(Trigger, [String])] = []
                for automation in automations {
                    let key = AutomationScan.Firing(automationID: automation.id, ticketID: state.ticketID)
                    guard automation.failingCondition(in: context) == nil else {
                        if fired.contains(key) { released.append(key) }
                        continue
                    }
                    if fired.contains(key) { continue }
                    // Later automations see this one's change, as in Zendesk.
                    firing.append((automation, automation.actions.flatMap { $0.apply(to: &context) }))
                }
                if !firing.isEmpty, try await act(firing, on: state.ticketID, workspaceID: ws, now: now) { acted += 1 }
            }
            try await scan.release(released, workspaceID: ws, on: db)
            if page.count < pageSize { break }
        }
        return acted
    }

    /// Claims each firing (a replica running the same pass skips what it claimed), writes the claimed automations'
    /// changes as one update and records the run in the ticket's run log.
    func act(_ firing: [(Trigger, [String])], on ticketID: UUID, workspaceID ws: UUID, now: Date) async throws -> Bool {
        var claimed: [(Trigger, [String])] = []
        for (automation, changes) in firing {
            let key = AutomationScan.Firing(automationID: automation.id, ticketID: ticketID)
            if try await scan.claim(key, workspaceID: ws, at: now, on: database.sql) { claimed.append((automation, changes)) }
        }
        guard !claimed.isEmpty else { return false }
        var run = TriggerRun(id: UUIDv7.make(at: now), ticketID: ticketID, eventID: UUIDv7.make(at: now), eventType: "automation.pass",
                             kind: .timed, ranAt: now,
                             entries: claimed.map { TriggerRun.Entry(triggerID: $0.0.id, name: $0.0.name, fired: true, failedCondition: nil,
                                                                     changes: $0.1, error: nil) },
                             stoppedTooDeep: false)
        let applications = claimed.compactMap { automation, _ -> RuleApplication? in
            var change = RuleChange()
            for action in automation.actions { action.add(to: &change) }
            return change.isEmpty ? nil : RuleApplication(rule: RuleActor(kind: "automation", id: automation.id, name: automation.name), change: change)
        }
        await TriggerRunner.write(applications, ticketID: ticketID, workspaceID: ws, into: &run, tickets: tickets, database: database,
                                  store: store, logger: logger)
        _ = try await runs.claim(run, workspaceID: ws, on: database.sql)
        return true
    }
}
