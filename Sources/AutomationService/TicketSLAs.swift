import Foundation
import HelpdeskCore
import Platform

/// A ticket's SLA as the API shows it: the policy that applies (nil when none matches) and its targets.
public struct TicketSLA: Sendable, Equatable {
    public let ticketID: UUID
    public let policyID: UUID?
    public let targets: [SLATarget]
    /// Grows with every change, so a reader of the sla.* events keeps the newest snapshot whatever their order.
    public let version: Int64

    /// As of `now`: targets whose due time passed since they were stored are breached.
    public func asOf(_ now: Date) -> TicketSLA {
        TicketSLA(ticketID: ticketID, policyID: policyID, targets: targets.map { $0.asOf(now) }, version: version)
    }
}

/// Applies SLA policies to tickets: folds each ticket event into the ticket's SLA state, picks the first
/// matching policy, and stores the targets its clock gives. Runs as an event consumer, so it never slows the
/// request that changed the ticket, and any replica computes the same result. A change of the targets is
/// published (`sla.updated`, or `sla.achieved` per metric met) in the same transaction, through the outbox.
public struct TicketSLAs: Sendable {
    let database: Database
    let store: SLATicketStore
    let policies: SLAPolicyStore
    let schedules: ScheduleStore
    let clock: TimeSource

    /// Folds `event` into its ticket's state and re-computes the targets. Events of a ticket created before this
    /// service ran are ignored: it has no timeline to count from.
    public func handle(_ event: EventEnvelope) async throws {
        guard SLATicketState.eventTypes.contains(event.type), event.subject.type == "ticket" else { return }
        let now = clock.now
        let kind = database.kind
        try await database.transaction { [store, policies, schedules] db in
            let ws = event.workspaceID, id = event.subject.id
            var state: SLATicketState
            if let started = SLATicketState.started(by: event) {
                // A redelivered `ticket.created` must not wipe what later events added.
                if try await store.state(workspaceID: ws, ticketID: id, kind: kind, on: db) != nil { return }
                state = started
            } else {
                guard let known = try await store.state(workspaceID: ws, ticketID: id, forUpdate: true, kind: kind, on: db) else { return }
                state = known
                state.apply(event)
            }
            let before = try await store.sla(workspaceID: ws, ticketID: id, on: db)
            var policyID: UUID?
            var targets: [SLATarget] = []
            if !state.ended, let policy = SLAPolicy.first(try await policies.policies(workspaceID: ws, on: db), matching: state.facts) {
                var calendar = SLAClock.allHours
                if policy.businessHours, let schedule = try await schedules.defaultSchedule(workspaceID: ws, on: db) {
                    calendar = BusinessCalendar(schedule.schedule)
                }
                policyID = policy.id
                targets = SLAClock(calendar: calendar).targets(policy: policy, priority: state.facts.priority,
                                                               timeline: state.timeline, now: now)
            }
            guard policyID != before?.policyID || targets != (before?.targets ?? []) else {
                try await store.save(state, targets: nil, at: now, on: db)
                return
            }
            let sla = TicketSLA(ticketID: id, policyID: policyID, targets: targets, version: (before?.version ?? 0) + 1)
            try await store.save(state, targets: (policyID, targets, sla.version), at: now, on: db)
            let met = targets.filter { t in
                t.achievedAt != nil && before?.targets.first { $0.metric == t.metric }.map { $0.achievedAt == nil } ?? true
            }
            let events = met.isEmpty
                ? [SLAEvents.event(.updated, workspaceID: ws, sla: sla, at: now)]
                : met.map { SLAEvents.event(.achieved, workspaceID: ws, sla: sla, metric: $0, at: now) }
            try await Outbox.append(events, on: db)
        }
    }

    /// The SLA of one ticket of the caller's workspace (staff only: customers are not shown internal promises).
    public func sla(_ p: Principal, ticketID: UUID) async throws -> TicketSLA {
        try p.require(.agent, .admin)
        guard let sla = try await store.sla(workspaceID: p.workspaceID, ticketID: ticketID, on: database.sql) else {
            throw HelpdeskError.notFound("ticket SLA")
        }
        // Stored breach times are as of the last event; a due time passed since then is a breach now.
        return sla.asOf(clock.now)
    }
}

struct TicketSLAJSON: Encodable {
    let sla: TicketSLA

    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case policyID = "policy_id"
        case targets, version
    }

    struct Target: Encodable {
        let target: SLATarget
        enum CodingKeys: String, CodingKey {
            case metric, paused
            case dueAt = "due_at"
            case achievedAt = "achieved_at"
            case breachedAt = "breached_at"
            case atRiskAt = "at_risk_at"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(target.metric.rawValue, forKey: .metric)
            try c.encode(target.dueAt, forKey: .dueAt)
            try c.encodeIfPresent(target.achievedAt, forKey: .achievedAt)
            try c.encodeIfPresent(target.breachedAt, forKey: .breachedAt)
            try c.encode(target.paused, forKey: .paused)
            try c.encodeIfPresent(target.atRiskAt, forKey: .atRiskAt)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sla.ticketID.lowercased, forKey: .ticketID)
        try c.encode(sla.policyID?.lowercased, forKey: .policyID)
        try c.encode(sla.targets.map(Target.init), forKey: .targets)
        try c.encode(sla.version, forKey: .version)
    }
}
