import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of triggers (conditions and actions stored in their API form, read whole).
struct TriggerStore: Sendable {
    func insert(_ t: Trigger, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await bumpRevision(workspaceID: workspaceID, on: db)
        try await db.raw("""
            INSERT INTO triggers (id, workspace_id, kind, name, position, active, conditions, actions, created_at, updated_at)
            VALUES (\(bind: t.id.lowercased), \(bind: workspaceID.lowercased), \(bind: t.kind.rawValue), \(bind: t.name), \(bind: t.position),
                    \(bind: t.active), \(bind: try Self.json(TriggerJSON.conditions(t))), \(bind: try Self.json(TriggerJSON.actions(t))),
                    \(bind: now.epochMilliseconds), \(bind: now.epochMilliseconds))
            """).run()
    }

    func update(_ t: Trigger, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await bumpRevision(workspaceID: workspaceID, on: db)
        try await db.raw("""
            UPDATE triggers SET name = \(bind: t.name), position = \(bind: t.position), active = \(bind: t.active),
              conditions = \(bind: try Self.json(TriggerJSON.conditions(t))), actions = \(bind: try Self.json(TriggerJSON.actions(t))),
              updated_at = \(bind: now.epochMilliseconds), broken = \(bind: t.problems.isEmpty ? nil : t.problems.joined(separator: "; "))
            WHERE id = \(bind: t.id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    /// Stops a trigger that refers to something gone (a team, a user, a field) until an admin saves it again.
    func markBroken(workspaceID: UUID, id: UUID, because reason: String, on db: any SQLDatabase) async throws {
        try await bumpRevision(workspaceID: workspaceID, on: db)
        try await db.raw("""
            UPDATE triggers SET broken = \(bind: reason) WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    /// Marks the workspace's triggers changed; every write to `triggers` calls it in its transaction.
    func bumpRevision(workspaceID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO trigger_revisions (workspace_id, revision) VALUES (\(bind: workspaceID.lowercased), 1)
            ON CONFLICT (workspace_id) DO UPDATE SET revision = trigger_revisions.revision + 1
            """).run()
    }

    /// 0 before the first change.
    func revision(workspaceID: UUID, on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("SELECT revision FROM trigger_revisions WHERE workspace_id = \(bind: workspaceID.lowercased)")
            .first()?.decode(column: "revision", as: Int64.self) ?? 0
    }

    func delete(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await bumpRevision(workspaceID: workspaceID, on: db)
        try await db.raw("DELETE FROM triggers WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)").run()
        try await db.raw("""
            DELETE FROM automation_firings WHERE automation_id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func trigger(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> Trigger? {
        try await db.raw("""
            SELECT * FROM triggers WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).first().map(Self.decode)
    }

    /// The workspace's triggers (or automations) in the order they run.
    func triggers(workspaceID: UUID, kind: RuleKind = .trigger, on db: any SQLDatabase) async throws -> [Trigger] {
        try await db.raw("""
            SELECT * FROM triggers WHERE workspace_id = \(bind: workspaceID.lowercased) AND kind = \(bind: kind.rawValue)
            ORDER BY position, id
            """).all().map(Self.decode)
    }

    /// The workspaces with an active automation, for the hourly pass.
    func workspacesWithAutomations(on db: any SQLDatabase) async throws -> [UUID] {
        try await db.raw("SELECT DISTINCT workspace_id FROM triggers WHERE kind = 'automation' AND active = \(bind: true) AND broken IS NULL")
            .all().map { try $0.uuid("workspace_id") }
    }

    static func json(_ value: JSONValue) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// Stored rules were valid when written; parsing them again keeps one definition of what they mean.
    static func decode(_ row: any SQLRow) throws -> Trigger {
        func value(_ column: String) throws -> JSONValue {
            try JSONDecoder().decode(JSONValue.self, from: Data(try row.decode(column: column, as: String.self).utf8))
        }
        var errors: [FieldError] = []
        let kind = RuleKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .trigger
        let conditions = TriggerJSON.parseConditions(try value("conditions"), kind: kind, errors: &errors)
        let actions = TriggerJSON.parseActions(try value("actions"), errors: &errors)
        var trigger = Trigger(id: try row.uuid("id"), kind: kind, name: try row.decode(column: "name", as: String.self),
                              all: conditions.all, any: conditions.any, actions: actions,
                              active: try row.decode(column: "active", as: Bool.self), position: try row.decode(column: "position", as: Int.self))
        trigger.problems = errors.map { "\($0.field): \($0.message)" }
        if let broken = try row.decode(column: "broken", as: String?.self), trigger.problems.isEmpty {
            trigger.problems = broken.components(separatedBy: "; ")
        }
        return trigger
    }
}
