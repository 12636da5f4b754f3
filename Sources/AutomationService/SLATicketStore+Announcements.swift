import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A warning or breach the scheduler took on to announce.
struct SLAAnnouncement: Sendable, Equatable {
    enum Kind: String, Sendable { case warning, breached }
    let kind: Kind
    let workspaceID: UUID
    let ticketID: UUID
    let metric: SLAMetric
    let dueAt: Date
}

/// The SQL of the breach scheduler: which targets are due for an announcement, claimed so that exactly one
/// replica announces each.
extension SLATicketStore {
    /// Claims up to `limit` tickets with a warning or breach to announce at `now`, marks those announcements made
    /// and bumps each ticket's version. Must run in a transaction: on PostgreSQL the tickets' rows are locked
    /// (skipping those another replica holds), the same lock the event consumer takes, so the claimed rows cannot
    /// change under it; if the process dies before commit, nothing is marked and another replica claims them.
    /// `workspaceID` limits the claim to one workspace (tests sharing a database).
    func claimAnnouncements(now: Date, limit: Int, workspaceID: UUID?, kind: DatabaseKind,
                            on db: any SQLDatabase) async throws -> [SLAAnnouncement] {
        let at = now.epochMilliseconds
        let only: SQLQueryString = workspaceID.map { "AND workspace_id = \(bind: $0.lowercased)" } ?? ""
        var pick = SQLQueryString("""
            SELECT ticket_id FROM sla_tickets WHERE ticket_id IN (
              SELECT ticket_id FROM sla_targets WHERE breach_check_at <= \(bind: at) \(only)
              UNION SELECT ticket_id FROM sla_targets WHERE warn_check_at <= \(bind: at) \(only)
              LIMIT \(unsafeRaw: String(limit)))
            ORDER BY ticket_id
            """)
        if kind == .postgres { pick.appendInterpolation(unsafeRaw: " FOR UPDATE SKIP LOCKED") }
        let tickets = try await db.raw(pick).all().map { try $0.decode(column: "ticket_id", as: String.self) }
        guard !tickets.isEmpty else { return [] }

        var breaches = SQLQueryString("""
            UPDATE sla_targets SET breach_check_at = NULL, breach_fired_at = \(bind: at), breached_at = due_at
            WHERE breach_check_at <= \(bind: at) AND
            """)
        breaches.appendInterpolation(unsafeRaw: " ")
        breaches.appendOneOf("ticket_id", tickets, kind: kind)
        breaches.appendInterpolation(unsafeRaw: " RETURNING workspace_id, ticket_id, metric, due_at")
        var warnings = SQLQueryString("""
            UPDATE sla_targets SET warn_check_at = NULL, warned_at = \(bind: at)
            WHERE warn_check_at <= \(bind: at) AND
            """)
        warnings.appendInterpolation(unsafeRaw: " ")
        warnings.appendOneOf("ticket_id", tickets, kind: kind)
        warnings.appendInterpolation(unsafeRaw: " RETURNING workspace_id, ticket_id, metric, due_at")
        func announcements(_ kind: SLAAnnouncement.Kind, _ rows: [any SQLRow]) throws -> [SLAAnnouncement] {
            try rows.compactMap { row in
                guard let metric = SLAMetric(rawValue: try row.decode(column: "metric", as: String.self)),
                      !(try row.decodeNil(column: "due_at")) else { return nil }
                let due = try row.date("due_at")
                // Warned too late to matter: the breach is announced instead.
                if kind == .warning, due <= now { return nil }
                return SLAAnnouncement(kind: kind, workspaceID: try row.uuid("workspace_id"), ticketID: try row.uuid("ticket_id"),
                                       metric: metric, dueAt: due)
            }
        }
        let fired = try announcements(.warning, try await db.raw(warnings).all())
            + announcements(.breached, try await db.raw(breaches).all())
        guard !fired.isEmpty else { return [] }
        var bump = SQLQueryString("UPDATE sla_tickets SET version = version + 1, updated_at = \(bind: at) WHERE ")
        bump.appendOneOf("ticket_id", Array(Set(fired.map(\.ticketID.lowercased))).sorted(), kind: kind)
        try await db.raw(bump).run()
        return fired.sorted { ($0.dueAt, $0.ticketID.lowercased, $0.metric) < ($1.dueAt, $1.ticketID.lowercased, $1.metric) }
    }
}
