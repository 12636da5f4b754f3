import Foundation
import HelpdeskCore
import Platform

/// The events the SLA clocks publish. Each carries the ticket's whole SLA snapshot (`data.sla`, with its
/// `version`), so a reader keeps a copy by taking the highest version it has seen; warnings, breaches and
/// achievements also name the `metric` and its `due_at`.
enum SLAEvents {
    enum Kind: String, CaseIterable {
        case updated = "sla.updated"
        case warning = "sla.warning"
        case breached = "sla.breached"
        case achieved = "sla.achieved"
    }

    static var types: Set<String> { Set(Kind.allCases.map(\.rawValue)) }

    static func event(_ kind: Kind, workspaceID: UUID, sla: TicketSLA, metric target: SLATarget? = nil, at now: Date) -> EventEnvelope {
        var data: [String: JSONValue] = ["sla": snapshot(sla)]
        if let target {
            data["metric"] = .string(target.metric.rawValue)
            data["due_at"] = target.dueAt.map { .string(RFC3339.string(from: $0)) } ?? .null
        }
        return EventEnvelope(type: kind.rawValue, workspaceID: workspaceID, actor: .system,
                             subject: EventSubject(type: "ticket", id: sla.ticketID), occurredAt: now, data: .object(data))
    }

    /// The snapshot as the ticket JSON and `GET /api/v1/sla/tickets/{id}` show it.
    static func snapshot(_ sla: TicketSLA) -> JSONValue {
        // The encoder writes dates as RFC 3339 strings; the round trip cannot fail for this value.
        let data = try! EventJSON.encoder().encode(TicketSLAJSON(sla: sla))
        return try! JSONDecoder().decode(JSONValue.self, from: data)
    }
}
