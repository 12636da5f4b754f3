import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The SQL of SLA policies (their conditions and targets as JSON: they are read whole, never queried inside).
struct SLAPolicyStore: Sendable {
    struct StoredCondition: Codable {
        let field: String, op: String, value: String
    }

    func insert(_ p: SLAPolicy, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO sla_policies (id, workspace_id, name, position, conditions, targets, business_hours, pauses_resolution,
                                      created_at, updated_at)
            VALUES (\(bind: p.id.lowercased), \(bind: workspaceID.lowercased), \(bind: p.name), \(bind: p.position),
                    \(bind: try Self.conditionsJSON(p)), \(bind: try Self.targetsJSON(p)), \(bind: p.businessHours),
                    \(bind: p.pausesResolution), \(bind: now.epochMilliseconds), \(bind: now.epochMilliseconds))
            """).run()
    }

    func update(_ p: SLAPolicy, workspaceID: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE sla_policies SET name = \(bind: p.name), position = \(bind: p.position),
              conditions = \(bind: try Self.conditionsJSON(p)), targets = \(bind: try Self.targetsJSON(p)),
              business_hours = \(bind: p.businessHours), pauses_resolution = \(bind: p.pausesResolution),
              updated_at = \(bind: now.epochMilliseconds)
            WHERE id = \(bind: p.id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func delete(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM sla_policies WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func policy(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> SLAPolicy? {
        try await db.raw("""
            SELECT * FROM sla_policies WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).first().map(Self.decode)
    }

    /// Every policy of the workspace in the order they are tried.
    func policies(workspaceID: UUID, on db: any SQLDatabase) async throws -> [SLAPolicy] {
        try await db.raw("""
            SELECT * FROM sla_policies WHERE workspace_id = \(bind: workspaceID.lowercased) ORDER BY position, id
            """).all().map(Self.decode)
    }

    static func conditionsJSON(_ p: SLAPolicy) throws -> String {
        try ScheduleStore.json(p.conditions.map { StoredCondition(field: $0.field, op: $0.op.rawValue, value: $0.value) })
    }

    static func targetsJSON(_ p: SLAPolicy) throws -> String {
        try ScheduleStore.json(p.targets.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) })
    }

    static func decode(_ row: any SQLRow) throws -> SLAPolicy {
        let conditions = try JSONDecoder().decode([StoredCondition].self, from: Data(try row.decode(column: "conditions", as: String.self).utf8))
        let targets = try JSONDecoder().decode([String: [String: Int]].self, from: Data(try row.decode(column: "targets", as: String.self).utf8))
        return SLAPolicy(
            id: try row.uuid("id"), name: try row.decode(column: "name", as: String.self),
            conditions: try conditions.map { try SLACondition(field: $0.field, op: SLACondition.Operator(rawValue: $0.op) ?? .is, value: $0.value) },
            targets: targets.mapValues { Dictionary(uniqueKeysWithValues: $0.compactMap { key, value in SLAMetric(rawValue: key).map { ($0, value) } }) },
            businessHours: try row.decode(column: "business_hours", as: Bool.self),
            pausesResolution: try row.decode(column: "pauses_resolution", as: Bool.self),
            position: try row.decode(column: "position", as: Int.self))
    }
}
