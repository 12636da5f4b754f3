import Foundation
import HelpdeskCore
import Platform

/// A ticket's SLA as the API shows it: the policy that applies (nil when none matches) and its targets.
public struct TicketSLA: Sendable, Equatable {
    public let ticketID: UUID
    public let policyID: UUID?
    public let targets: [SLATarget]
}

/// Applies SLA policies to tickets: folds each ticket event into the ticket's SLA state, picks the first
/// matching policy, and stores the targets its clock gives. Runs as an event consumer, so it never slows the
/// request that changed the ticket, and any replica computes the same result.
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
        try await database.transaction { [store, policies, schedules] db in
            var state: SLATicketState
            if let started = SLATicketState.started(by: event) {
                // A redelivered `ticket.created` must not wipe what later events added.
                if try await store.state(workspaceID: event.workspaceID, ticketID: event.subject.id, on: db) != nil { return }
                state = started
            } else {
                guard let known = try await store.state(workspaceID: event.workspaceID, ticketID: event.subject.id, on: db) else { return }
                state = known
                state.apply(event)
            }
            let all = try await policies.policies(workspaceID: event.workspaceID, on: db)
            guard !state.ended, let policy = SLAPolicy.first(all, matching: state.facts) else {
                try await store.save(state, policyID: nil, targets: [], at: now, on: db)
                return
            }
            var calendar = SLAClock.allHours
            if policy.businessHours, let schedule = try await schedules.defaultSchedule(workspaceID: event.workspaceID, on: db) {
                calendar = BusinessCalendar(schedule.schedule)
            }
            let targets = SLAClock(calendar: calendar).targets(policy: policy, priority: state.facts.priority,
                                                               timeline: state.timeline, now: now)
            try await store.save(state, policyID: policy.id, targets: targets, at: now, on: db)
        }
    }

    /// The SLA of one ticket of the caller's workspace (staff only: customers are not shown internal promises).
    public func sla(_ p: Principal, ticketID: UUID) async throws -> TicketSLA {
        try p.require(.agent, .admin)
        guard let sla = try await store.sla(workspaceID: p.workspaceID, ticketID: ticketID, on: database.sql) else {
            throw HelpdeskError.notFound("ticket SLA")
        }
        // Stored breach times are as of the last event; a due time passed since then is a breach now.
        let now = clock.now
        return TicketSLA(ticketID: sla.ticketID, policyID: sla.policyID, targets: sla.targets.map { t in
            guard t.breachedAt == nil, t.achievedAt == nil, !t.paused, let due = t.dueAt, due < now else { return t }
            return SLATarget(metric: t.metric, dueAt: due, achievedAt: nil, breachedAt: due, paused: false)
        })
    }
}

struct TicketSLAJSON: Encodable {
    let sla: TicketSLA

    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case policyID = "policy_id"
        case targets
    }

    struct Target: Encodable {
        let target: SLATarget
        enum CodingKeys: String, CodingKey {
            case metric, paused
            case dueAt = "due_at"
            case achievedAt = "achieved_at"
            case breachedAt = "breached_at"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(target.metric.rawValue, forKey: .metric)
            try c.encode(target.dueAt, forKey: .dueAt)
            try c.encodeIfPresent(target.achievedAt, forKey: .achievedAt)
            try c.encodeIfPresent(target.breachedAt, forKey: .breachedAt)
            try c.encode(target.paused, forKey: .paused)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sla.ticketID.lowercased, forKey: .ticketID)
        try c.encode(sla.policyID?.lowercased, forKey: .policyID)
        try c.encode(sla.targets.map(Target.init), forKey: .targets)
    }
}
