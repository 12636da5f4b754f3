import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of tickets' SLA state and targets.
struct SLATicketStore: Sendable {
    /// `SLATicketState` as stored: read and written whole.
    struct StoredState: Codable {
        struct Entry: Codable {
            let at: Int64
            let reply: Bool?
            let byStaff: Bool?
            let status: String?
        }
        let priority: String, type: String?, teamID: String?, organizationID: String?, tags: [String], channel: String
        let customFields: [String: JSONValue]
        let createdAt: Int64
        let events: [Entry]
        let status: String
        let ended: Bool
        // Kept since automations@8; absent in states stored before.
        var subject: String?
        var requesterID: String?
        var assigneeID: String?
        var assignedAt: Int64?
        var touchedAt: Int64?
    }

    /// The stored state; `forUpdate` locks the row on PostgreSQL so replicas folding events of one ticket, and
    /// the breach scheduler, take turns (SQLite's single writer already does).
    func state(workspaceID: UUID, ticketID: UUID, forUpdate: Bool = false, kind: DatabaseKind,
               on db: any SQLDatabase) async throws -> SLATicketState? {
        var q = SQLQueryString("""
            SELECT state FROM sla_tickets
            WHERE ticket_id = \(bind: ticketID.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """)
        if forUpdate && kind == .postgres { q.appendInterpolation(unsafeRaw: " FOR UPDATE") }
        guard let row = try await db.raw(q).first() else { return nil }
        let s = try JSONDecoder().decode(StoredState.self, from: Data(try row.decode(column: "state", as: String.self).utf8))
        return Self.state(s, ticketID: ticketID, workspaceID: workspaceID)
    }

    static func state(_ s: StoredState, ticketID: UUID, workspaceID: UUID) -> SLATicketState {
        let events: [SLATimeline.Event] = s.events.map { e in
            if let status = e.status { return .status(at: Date(epochMilliseconds: e.at), to: status) }
            return .publicReply(at: Date(epochMilliseconds: e.at), byStaff: e.byStaff ?? false)
        }
        var state = SLATicketState(
            ticketID: ticketID, workspaceID: workspaceID,
            facts: SLATicketFacts(priority: s.priority, type: s.type, teamID: s.teamID.flatMap(UUID.init(uuidString:)),
                                  organizationID: s.organizationID.flatMap(UUID.init(uuidString:)), tags: s.tags,
                                  channel: s.channel, customFields: s.customFields),
            timeline: SLATimeline(createdAt: Date(epochMilliseconds: s.createdAt), events: events),
            status: s.status, ended: s.ended)
        state.subject = s.subject ?? ""
        state.requesterID = s.requesterID.flatMap(UUID.init(uuidString:))
        state.assigneeID = s.assigneeID.flatMap(UUID.init(uuidString:))
        state.assignedAt = s.assignedAt.map(Date.init(epochMilliseconds:))
        state.touchedAt = s.touchedAt.map(Date.init(epochMilliseconds:))
        return state
    }

    /// Writes the state; with `targets`, also the policy and the targets just computed (at `version`). A target
    /// whose due time did not move keeps its announcements, so a warning or breach is never announced twice.
    func save(_ t: SLATicketState, targets: (policyID: UUID?, targets: [SLATarget], version: Int64)?, at now: Date,
              on db: any SQLDatabase) async throws {
        let stored = StoredState(
            priority: t.facts.priority, type: t.facts.type, teamID: t.facts.teamID?.lowercased,
            organizationID: t.facts.organizationID?.lowercased, tags: t.facts.tags, channel: t.facts.channel,
            customFields: t.facts.customFields, createdAt: t.timeline.createdAt.epochMilliseconds,
            events: t.timeline.events.map { e in
                switch e {
                case .publicReply(let at, let byStaff): StoredState.Entry(at: at.epochMilliseconds, reply: true, byStaff: byStaff, status: nil)
                case .status(let at, let to): StoredState.Entry(at: at.epochMilliseconds, reply: nil, byStaff: nil, status: to)
                }
            },
            status: t.status, ended: t.ended, subject: t.subject, requesterID: t.requesterID?.lowercased,
            assigneeID: t.assigneeID?.lowercased, assignedAt: t.assignedAt?.epochMilliseconds, touchedAt: t.touchedAt?.epochMilliseconds)
        let json = try ScheduleStore.json(stored)
        let ws = t.workspaceID.lowercased, id = t.ticketID.lowercased
        // The anchors time-based automations narrow their scan with (see `AutomationScan`).
        let a = TimedTicket(state: t).anchors
        var q = SQLQueryString("""
            INSERT INTO sla_tickets (ticket_id, workspace_id, policy_id, state, updated_at, version, live, status, created_at,
                                     touched_at, status_at, assigned_at, requester_replied_at, agent_replied_at)
            VALUES (\(bind: id), \(bind: ws), \(bind: targets?.policyID?.lowercased), \(bind: json), \(bind: now.epochMilliseconds),
                    \(bind: targets?.version ?? 0), \(bind: a.live), \(bind: t.status), \(bind: a.createdAt), \(bind: a.touchedAt),
                    \(bind: a.statusAt), \(bind: a.assignedAt), \(bind: a.requesterRepliedAt), \(bind: a.agentRepliedAt))
            ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, live = excluded.live,
              status = excluded.status, created_at = excluded.created_at, touched_at = excluded.touched_at,
              status_at = excluded.status_at, assigned_at = excluded.assigned_at,
              requester_replied_at = excluded.requester_replied_at, agent_replied_at = excluded.agent_replied_at
            """)
        if targets != nil { q.appendInterpolation(unsafeRaw: ", policy_id = excluded.policy_id, version = excluded.version") }
        try await db.raw(q).run()
        guard let targets else { return }
        var gone = SQLQueryString("DELETE FROM sla_targets WHERE ticket_id = \(bind: id) AND workspace_id = \(bind: ws)")
        for metric in targets.targets.map(\.metric.rawValue) { gone.appendInterpolation(unsafeRaw: " AND metric <> "); gone.appendInterpolation(bind: metric) }
        try await db.raw(gone).run()
        for target in targets.targets {
            let open = target.achievedAt == nil && !target.paused
            let breachCheck = target.paused ? nil : target.dueAt.flatMap { due in (target.achievedAt ?? .distantFuture) > due ? due : nil }
            try await db.raw("""
                INSERT INTO sla_targets (ticket_id, workspace_id, metric, due_at, achieved_at, breached_at, paused, warn_at,
                                         warn_check_at, breach_check_at)
                VALUES (\(bind: id), \(bind: ws), \(bind: target.metric.rawValue), \(bind: target.dueAt?.epochMilliseconds),
                        \(bind: target.achievedAt?.epochMilliseconds), \(bind: target.breachedAt?.epochMilliseconds),
                        \(bind: target.paused), \(bind: target.atRiskAt?.epochMilliseconds),
                        \(bind: open ? target.atRiskAt?.epochMilliseconds : nil), \(bind: breachCheck?.epochMilliseconds))
                ON CONFLICT (ticket_id, metric) DO UPDATE SET
                  due_at = excluded.due_at, achieved_at = excluded.achieved_at, breached_at = excluded.breached_at,
                  paused = excluded.paused, warn_at = excluded.warn_at,
                  warned_at = CASE WHEN sla_targets.due_at = excluded.due_at THEN sla_targets.warned_at END,
                  warn_check_at = CASE WHEN sla_targets.due_at = excluded.due_at AND sla_targets.warned_at IS NOT NULL
                                  THEN NULL ELSE excluded.warn_check_at END,
                  breach_fired_at = CASE WHEN sla_targets.due_at = excluded.due_at THEN sla_targets.breach_fired_at END,
                  breach_check_at = CASE WHEN sla_targets.due_at = excluded.due_at AND sla_targets.breach_fired_at IS NOT NULL
                                    THEN NULL ELSE excluded.breach_check_at END
                """).run()
        }
    }

    /// The policy and targets stored for a ticket; nil when the service never saw it created.
    func sla(workspaceID: UUID, ticketID: UUID, on db: any SQLDatabase) async throws -> TicketSLA? {
        let ws = workspaceID.lowercased, id = ticketID.lowercased
        guard let row = try await db.raw("""
            SELECT policy_id, version FROM sla_tickets WHERE ticket_id = \(bind: id) AND workspace_id = \(bind: ws)
            """).first() else { return nil }
        let policy = try row.decodeNil(column: "policy_id") ? nil : UUID(uuidString: try row.decode(column: "policy_id", as: String.self))
        let targets = try await db.raw("""
            SELECT metric, due_at, achieved_at, breached_at, paused, warn_at FROM sla_targets
            WHERE ticket_id = \(bind: id) AND workspace_id = \(bind: ws)
            """).all().compactMap { row -> SLATarget? in
            guard let metric = SLAMetric(rawValue: try row.decode(column: "metric", as: String.self)) else { return nil }
            func date(_ c: String) throws -> Date? { try row.decodeNil(column: c) ? nil : try row.date(c) }
            return SLATarget(metric: metric, dueAt: try date("due_at"), achievedAt: try date("achieved_at"),
                             breachedAt: try date("breached_at"), paused: try row.decode(column: "paused", as: Bool.self),
                             atRiskAt: try date("warn_at"))
        }
        return TicketSLA(ticketID: ticketID, policyID: policy, targets: targets.sorted { $0.metric < $1.metric },
                         version: try row.decode(column: "version", as: Int64.self))
    }
}
