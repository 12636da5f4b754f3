import Foundation
import HelpdeskCore
import Platform

extension Tickets {
    /// The SLA events the tickets service copies onto tickets (published by the automations service).
    static let slaEventTypes: Set<String> = ["sla.updated", "sla.warning", "sla.breached", "sla.achieved"]

    /// Keeps the ticket's copy of its SLA: the newest snapshot wins, so the ticket JSON, `sla=` filters and
    /// `sort=sla_due` follow the automations service without reading its tables.
    public func copySLA(_ event: EventEnvelope) async throws {
        guard Self.slaEventTypes.contains(event.type), event.subject.type == "ticket",
              let copy = TicketSLACopy(event: event) else { return }
        let (store, sql) = (store, database.sql)
        try await database.exclusive {
            try await store.saveSLA(workspaceID: event.workspaceID, ticketID: event.subject.id, copy, on: sql)
        }
    }
}
