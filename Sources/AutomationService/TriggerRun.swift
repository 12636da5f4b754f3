import Foundation
import HelpdeskCore

/// What the triggers did with one ticket event, as `GET /tickets/{id}/automation-runs` explains it.
public struct TriggerRun: Sendable, Equatable {
    public let id: UUID
    public let ticketID: UUID
    public let eventID: UUID
    public let eventType: String
    public let kind: TriggerContext.Kind
    public let ranAt: Date
    public var entries: [Entry]
    /// More than `TriggerCycle.maximumChain` triggers fired; the rest did not run (and an audit record says so).
    public var stoppedTooDeep: Bool

    /// One trigger's part: fired (what it changed, or why writing it failed) or not (its first failing condition).
    public struct Entry: Sendable, Equatable {
        public let triggerID: UUID
        public let name: String
        public let fired: Bool
        public let failedCondition: String?
        public let changes: [String]
        /// Why its changes could not be written (a value the ticket refused); the other triggers still ran.
        public var error: String?
    }
}

extension TriggerRun.Entry {
    init(_ e: TriggerRunEntry) {
        self.init(triggerID: e.triggerID, name: e.name, fired: e.fired, failedCondition: e.failedCondition, changes: e.changes,
                  error: nil)
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "trigger_id": .string(triggerID.lowercased), "name": .string(name), "fired": .bool(fired),
            "failed_condition": failedCondition.map(JSONValue.string) ?? .null, "changes": .array(changes.map(JSONValue.string)),
        ]
        o["error"] = error.map(JSONValue.string) ?? .null
        return .object(o)
    }

    init?(json: JSONValue) {
        guard case .object(let o) = json, let id = o["trigger_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
              let name = o["name"]?.stringValue, case .bool(let fired)? = o["fired"] else { return nil }
        var changes: [String] = []
        if case .array(let items)? = o["changes"] { changes = items.compactMap(\.stringValue) }
        self.init(triggerID: id, name: name, fired: fired, failedCondition: o["failed_condition"]?.stringValue, changes: changes,
                  error: o["error"]?.stringValue)
    }
}

struct TriggerRunJSON: Encodable {
    let run: TriggerRun

    enum CodingKeys: String, CodingKey {
        case id, kind, triggers
        case eventID = "event_id"
        case eventType = "event_type"
        case ranAt = "ran_at"
        case stoppedTooDeep = "stopped_too_deep"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run.id.lowercased, forKey: .id)
        try c.encode(run.eventID.lowercased, forKey: .eventID)
        try c.encode(run.eventType, forKey: .eventType)
        try c.encode(run.kind.rawValue, forKey: .kind)
        try c.encode(run.ranAt, forKey: .ranAt)
        try c.encode(run.stoppedTooDeep, forKey: .stoppedTooDeep)
        try c.encode(JSONValue.array(run.entries.map(\.json)), forKey: .triggers)
    }
}
