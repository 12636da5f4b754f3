import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of the tickets' copy of their SLA.
extension TicketStore {
    /// Replaces the ticket's SLA copy unless the stored one is newer (events may arrive out of order on several
    /// replicas); a redelivery of the same version changes nothing.
    func saveSLA(workspaceID: UUID, ticketID: UUID, _ sla: TicketSLACopy, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE tickets SET sla = \(bind: sla.json), sla_version = \(bind: sla.version), sla_due_at = \(bind: sla.dueAt),
              sla_at_risk_at = \(bind: sla.atRiskAt)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: ticketID.lowercased)
              AND (sla_version IS NULL OR sla_version <= \(bind: sla.version))
            """).run()
    }
}

/// What the tickets service keeps of an `sla.*` event's snapshot.
struct TicketSLACopy: Sendable, Equatable {
    let json: String
    let version: Int64
    /// The earliest due time of an open target (not achieved, not paused), epoch ms; `Int64.max` when none.
    let dueAt: Int64
    /// The earliest time an open target is at risk, epoch ms.
    let atRiskAt: Int64?

    /// Reads `data.sla` of an `sla.*` event; nil when it carries none.
    init?(event: EventEnvelope) {
        guard let sla = event.data["sla"], case .object = sla, case .number(let version)? = sla["version"],
              let data = try? EventJSON.encoder().encode(sla) else { return nil }
        json = String(decoding: data, as: UTF8.self)
        self.version = Int64(version)
        var due = Int64.max
        var atRisk: Int64?
        if case .array(let targets)? = sla["targets"] {
            for target in targets {
                guard target["achieved_at"]?.stringValue == nil, target["paused"] != .bool(true),
                      let dueAt = target["due_at"]?.stringValue.flatMap(RFC3339.date(from:)) else { continue }
                due = min(due, dueAt.epochMilliseconds)
                if let risk = target["at_risk_at"]?.stringValue.flatMap(RFC3339.date(from:)) {
                    atRisk = min(atRisk ?? .max, risk.epochMilliseconds)
                }
            }
        }
        dueAt = due
        atRiskAt = atRisk
    }
}
