import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of the trigger run log.
struct TriggerRunStore: Sendable {
    /// Records the run as the cycle computed it, claiming the event: false when a run of it is already recorded (a redelivery), so it is not run twice.
    func claim(_ run: TriggerRun, workspaceID: UUID, on db: any SQLDatabase) async throws -> Bool {
        do {
            try await db.raw("""
                INSERT INTO trigger_runs (id, workspace_id, ticket_id, event_id, event_type, kind, ran_at, entries, stopped_too_deep)
                VALUES (\(bind: run.id.lowercased), \(bind: workspaceID.lowercased), \(bind: run.ticketID.lowercased),
                        \(bind: run.eventID.lowercased), \(bind: run.eventType), \(bind: run.kind.rawValue),
                        \(bind: run.ranAt.epochMilliseconds), \(bind: try TriggerStore.json(.array(run.entries.map(\.json)))),
                        \(bind: run.stoppedTooDeep))
                """).run()
            return true
        } catch where Database.isUniqueViolation(error) {
            return false
        }
    }

    /// Rewrites the entries once writing the changes refused some.
    func finish(_ run: TriggerRun, workspaceID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE trigger_runs SET entries = \(bind: try TriggerStore.json(.array(run.entries.map(\.json)))),
              stopped_too_deep = \(bind: run.stoppedTooDeep)
            WHERE id = \(bind: run.id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    /// A ticket's runs, newest first.
    func runs(workspaceID: UUID, ticketID: UUID, before: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [TriggerRun] {
        var q = SQLQueryString("""
            SELECT * FROM trigger_runs WHERE workspace_id = \(bind: workspaceID.lowercased) AND ticket_id = \(bind: ticketID.lowercased)
            """)
        if let before { q.appendInterpolation(unsafeRaw: " AND id < "); q.appendInterpolation(bind: before.lowercased) }
        q.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT \(limit)")
        return try await db.raw(q).all().map { row in
            let entries = try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: "entries", as: String.self).utf8))
            var items: [TriggerRun.Entry] = []
            if case .array(let list) = entries { items = list.compactMap(TriggerRun.Entry.init(json:)) }
            return TriggerRun(id: try row.uuid("id"), ticketID: try row.uuid("ticket_id"), eventID: try row.uuid("event_id"),
                              eventType: try row.decode(column: "event_type", as: String.self),
                              kind: TriggerContext.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .updated,
                              ranAt: Date(epochMilliseconds: try row.decode(column: "ran_at", as: Int64.self)),
                              entries: items, stoppedTooDeep: try row.decode(column: "stopped_too_deep", as: Bool.self))
        }
    }
}
