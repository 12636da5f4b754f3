import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of the hourly pass: tickets that may match a workspace's automations, read a page at a time along
/// `(workspace_id, ticket_id)` so 100,000 tickets never sit in memory, and the firings kept per automation and ticket.
struct AutomationScan: Sendable {
    /// Live tickets after `after` whose stored times pass every `hours_since_… greater_than` condition of at least one
    /// automation, those an automation fired on (their conditions may have stopped holding), and rows stored before
    /// the times were kept (read whole).
    func candidates(workspaceID: UUID, automations: [Trigger], now: Date, after: UUID?, limit: Int,
                    on db: any SQLDatabase) async throws -> [SLATicketState] {
        let ws = workspaceID.lowercased
        var q = SQLQueryString("SELECT ticket_id, state FROM sla_tickets WHERE workspace_id = \(bind: ws)")
        if let after { q.appendInterpolation(unsafeRaw: " AND ticket_id > "); q.appendInterpolation(bind: after.lowercased) }
        q.appendInterpolation(unsafeRaw: " AND (live IS NULL OR ticket_id IN (SELECT ticket_id FROM automation_firings WHERE workspace_id = ")
        q.appendInterpolation(bind: ws)
        q.appendInterpolation(unsafeRaw: ")")
        for automation in automations {
            q.appendInterpolation(unsafeRaw: " OR (live = ")
            q.appendInterpolation(bind: true)
            for condition in automation.all where condition.op == .greaterThan {
                guard let anchor = condition.anchor, let hours = condition.hours else { continue }
                let cutoff = now.addingTimeInterval(-hours * 3_600).epochMilliseconds
                let column: String
                switch anchor {
                case "created": column = "created_at"
                case "updated": column = "touched_at"
                case "assigned": column = "assigned_at"
                case "requester_replied": column = "requester_replied_at"
                case "agent_replied": column = "agent_replied_at"
                default:
                    column = "status_at"
                    q.appendInterpolation(unsafeRaw: " AND status = ")
                    q.appendInterpolation(bind: anchor)
                }
                q.appendInterpolation(unsafeRaw: " AND \(column) <= ")
                q.appendInterpolation(bind: cutoff)
            }
            q.appendInterpolation(unsafeRaw: ")")
        }
        q.appendInterpolation(unsafeRaw: ") ORDER BY ticket_id LIMIT \(limit)")
        let decoder = JSONDecoder()
        return try await db.raw(q).all().map { row in
            let stored = try decoder.decode(SLATicketStore.StoredState.self, from: Data(try row.decode(column: "state", as: String.self).utf8))
            return SLATicketStore.state(stored, ticketID: try row.uuid("ticket_id"), workspaceID: workspaceID)
        }
    }

    /// `breached` or `at_risk` for the tickets whose SLA is so at `now` (the others are `ok`).
    func slaStates(workspaceID: UUID, ticketIDs: [UUID], now: Date, on db: any SQLDatabase) async throws -> [UUID: String] {
        guard !ticketIDs.isEmpty else { return [:] }
        let ms = now.epochMilliseconds
        var q = SQLQueryString("""
            SELECT ticket_id, MIN(CASE WHEN due_at <= \(bind: ms) THEN 0 ELSE 1 END) AS worst FROM sla_targets
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND achieved_at IS NULL AND paused = \(bind: false)
              AND due_at IS NOT NULL AND (due_at <= \(bind: ms) OR warn_at <= \(bind: ms)) AND ticket_id IN (
            """)
        Self.list(ticketIDs, into: &q)
        q.appendInterpolation(unsafeRaw: ") GROUP BY ticket_id")
        var out: [UUID: String] = [:]
        for row in try await db.raw(q).all() {
            out[try row.uuid("ticket_id")] = try row.decode(column: "worst", as: Int.self) == 0 ? "breached" : "at_risk"
        }
        return out
    }

    /// The automations that fired on each of these tickets and have not been released since.
    func firings(workspaceID: UUID, ticketIDs: [UUID], on db: any SQLDatabase) async throws -> Set<Firing> {
        guard !ticketIDs.isEmpty else { return [] }
        var q = SQLQueryString("SELECT automation_id, ticket_id FROM automation_firings WHERE workspace_id = \(bind: workspaceID.lowercased) AND ticket_id IN (")
        Self.list(ticketIDs, into: &q)
        q.appendInterpolation(unsafeRaw: ")")
        return Set(try await db.raw(q).all().map { Firing(automationID: try $0.uuid("automation_id"), ticketID: try $0.uuid("ticket_id")) })
    }

    struct Firing: Hashable {
        let automationID: UUID
        let ticketID: UUID
    }

    /// Claims a firing: false when it is already claimed (another replica's pass, or a pass that was cut short).
    func claim(_ f: Firing, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO automation_firings (automation_id, ticket_id, workspace_id, fired_at)
            VALUES (\(bind: f.automationID.lowercased), \(bind: f.ticketID.lowercased), \(bind: workspaceID.lowercased), \(bind: now.epochMilliseconds))
            ON CONFLICT (automation_id, ticket_id) DO NOTHING RETURNING automation_id
            """).first() != nil
    }

    /// Releases firings whose conditions stopped holding, so the automation may act on the ticket again.
    func release(_ firings: [Firing], workspaceID: UUID, on db: any SQLDatabase) async throws {
        for f in firings {
            try await db.raw("""
                DELETE FROM automation_firings WHERE automation_id = \(bind: f.automationID.lowercased)
                  AND ticket_id = \(bind: f.ticketID.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
                """).run()
        }
    }

    /// Firings of tickets that closed or went away: no automation looks at them again.
    func releaseEnded(workspaceID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM automation_firings WHERE workspace_id = \(bind: workspaceID.lowercased) AND ticket_id IN (
              SELECT ticket_id FROM sla_tickets WHERE workspace_id = \(bind: workspaceID.lowercased) AND live = \(bind: false))
            """).run()
    }

    /// Claims the pass due now for every replica sharing the database: false when another took it or it is not due.
    func claimPass(now: Date, interval: Duration, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("INSERT INTO automation_passes (id, next_at) VALUES ('all', 0) ON CONFLICT (id) DO NOTHING").run()
        let next = now.addingTimeInterval(Double(interval.components.seconds)).epochMilliseconds
        return try await db.raw("""
            UPDATE automation_passes SET next_at = \(bind: next), started_at = \(bind: now.epochMilliseconds)
            WHERE id = 'all' AND next_at <= \(bind: now.epochMilliseconds) RETURNING id
            """).first() != nil
    }

    static func list(_ ids: [UUID], into q: inout SQLQueryString) {
        for (i, id) in ids.enumerated() {
            if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
            q.appendInterpolation(bind: id.lowercased)
        }
    }
}
