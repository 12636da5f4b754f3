import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Every SQL statement of the audit service.
struct AuditStore: Sendable {
    let kind: DatabaseKind

    /// The chain head, created if missing and locked for the rest of the transaction, in one statement: the
    /// no-op update takes the row lock on PostgreSQL (SQLite transactions are exclusive anyway).
    func lockHead(workspaceID: UUID, on db: any SQLDatabase) async throws -> (position: Int64, hash: String) {
        guard let row = try await db.raw("""
            INSERT INTO audit_chains (workspace_id, last_position, last_hash)
            VALUES (\(bind: workspaceID.lowercased), 0, '')
            ON CONFLICT (workspace_id) DO UPDATE SET last_position = audit_chains.last_position
            RETURNING last_position, last_hash
            """).first() else { throw HelpdeskError.internalError() }
        return (try row.decode(column: "last_position", as: Int64.self), try row.decode(column: "last_hash", as: String.self))
    }

    /// Which of `eventIDs` are recorded already (by the unique event id), in the caller's transaction.
    func recordedEventIDs(_ eventIDs: [UUID], on db: any SQLDatabase) async throws -> Set<UUID> {
        guard !eventIDs.isEmpty else { return [] }
        var q = SQLQueryString("SELECT event_id FROM audit_records WHERE event_id IN (")
        for (i, id) in eventIDs.enumerated() {
            if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
            q.appendInterpolation(bind: id.lowercased)
        }
        q.appendInterpolation(unsafeRaw: ")")
        return Set(try await db.raw(q).all().compactMap { UUID(uuidString: try $0.decode(column: "event_id", as: String.self)) })
    }

    /// Appends records that continue the chain from the locked head, and moves the head to the last one. A
    /// record whose event is recorded already fails the unique index and rolls the transaction back, so the
    /// chain never gets a gap; callers skip those first (`recordedEventIDs`).
    func append(_ records: [AuditRecord], on db: any SQLDatabase) async throws {
        guard let last = records.last else { return }
        try await BulkInsert.run(
            into: "audit_records",
            columns: ["id", "workspace_id", "position", "event_id", "action", "actor_id", "actor_type", "actor_role",
                      "subject_type", "subject_id", "ip", "user_agent", "via", "request_id", "occurred_at", "recorded_at",
                      "data", "prev_hash", "hash"],
            rows: records.map { r -> [any Encodable & Sendable] in
                [r.id.lowercased, r.workspaceID.lowercased, r.position, r.eventID?.lowercased, r.action,
                 r.actorID?.lowercased, r.actorType, r.actorRole, r.subjectType, r.subjectID?.lowercased, r.ip,
                 r.userAgent, r.via, r.requestID, r.occurredAt.epochMilliseconds, r.recordedAt.epochMilliseconds,
                 r.data, r.previousHash, r.hash]
            }, on: db)
        try await db.raw("""
            UPDATE audit_chains SET last_position = \(bind: last.position), last_hash = \(bind: last.hash)
            WHERE workspace_id = \(bind: last.workspaceID.lowercased)
            """).run()
    }

    /// Records matching `filter`, newest first below `beforePosition`, or oldest first above `afterPosition`.
    func records(workspaceID: UUID, filter: AuditFilter, beforePosition: Int64? = nil, afterPosition: Int64? = nil,
                 limit: Int, on db: any SQLDatabase) async throws -> [AuditRecord] {
        var sql = SQLQueryString("SELECT * FROM audit_records WHERE workspace_id = \(bind: workspaceID.lowercased)")
        if let v = filter.actorID { sql.appendInterpolation(unsafeRaw: " AND actor_id = "); sql.appendInterpolation(bind: v.lowercased) }
        if let v = filter.action { sql.appendInterpolation(unsafeRaw: " AND action = "); sql.appendInterpolation(bind: v) }
        if let v = filter.subjectType { sql.appendInterpolation(unsafeRaw: " AND subject_type = "); sql.appendInterpolation(bind: v) }
        if let v = filter.subjectID { sql.appendInterpolation(unsafeRaw: " AND subject_id = "); sql.appendInterpolation(bind: v.lowercased) }
        if let v = filter.from { sql.appendInterpolation(unsafeRaw: " AND occurred_at >= "); sql.appendInterpolation(bind: v.epochMilliseconds) }
        if let v = filter.to { sql.appendInterpolation(unsafeRaw: " AND occurred_at < "); sql.appendInterpolation(bind: v.epochMilliseconds) }
        if let v = beforePosition { sql.appendInterpolation(unsafeRaw: " AND position < "); sql.appendInterpolation(bind: v) }
        if let v = afterPosition { sql.appendInterpolation(unsafeRaw: " AND position > "); sql.appendInterpolation(bind: v) }
        sql.appendInterpolation(unsafeRaw: afterPosition != nil ? " ORDER BY position ASC" : " ORDER BY position DESC")
        sql.appendInterpolation(unsafeRaw: " LIMIT \(limit)")
        return try await db.raw(sql).all().map(Self.decode)
    }

    func checkpoint(workspaceID: UUID, on db: any SQLDatabase) async throws -> (position: Int64, hash: String)? {
        guard let row = try await db.raw("""
            SELECT through_position, through_hash FROM audit_checkpoints WHERE workspace_id = \(bind: workspaceID.lowercased)
            """).first() else { return nil }
        return (try row.decode(column: "through_position", as: Int64.self), try row.decode(column: "through_hash", as: String.self))
    }

    /// The end of what retention removes: the last record before the first one (in chain order) that occurred
    /// at or after `cutoff`. Events recorded late sit at higher positions with older times; they wait.
    func lastRecord(workspaceID: UUID, before cutoff: Date, on db: any SQLDatabase) async throws -> AuditRecord? {
        let ws = workspaceID.lowercased
        return try await db.raw("""
            SELECT * FROM audit_records WHERE workspace_id = \(bind: ws) AND position < COALESCE(
                (SELECT MIN(position) FROM audit_records WHERE workspace_id = \(bind: ws)
                   AND occurred_at >= \(bind: cutoff.epochMilliseconds)), 9223372036854775807)
            ORDER BY position DESC LIMIT 1
            """).first().map(Self.decode)
    }

    /// The chain head without locking it.
    func head(workspaceID: UUID, on db: any SQLDatabase) async throws -> (position: Int64, hash: String)? {
        guard let row = try await db.raw("""
            SELECT last_position, last_hash FROM audit_chains WHERE workspace_id = \(bind: workspaceID.lowercased)
            """).first() else { return nil }
        return (try row.decode(column: "last_position", as: Int64.self), try row.decode(column: "last_hash", as: String.self))
    }

    /// Deletes records up to `position` and remembers where the chain now starts; returns how many went.
    func prune(workspaceID: UUID, through record: AuditRecord, at now: Date, on db: any SQLDatabase) async throws -> Int {
        let ws = workspaceID.lowercased
        let count = try await db.raw("""
            SELECT COUNT(*) AS n FROM audit_records WHERE workspace_id = \(bind: ws) AND position <= \(bind: record.position)
            """).first()!.decode(column: "n", as: Int64.self)
        try await db.raw("""
            DELETE FROM audit_records WHERE workspace_id = \(bind: ws) AND position <= \(bind: record.position)
            """).run()
        try await db.raw("""
            INSERT INTO audit_checkpoints (workspace_id, through_position, through_hash, pruned_count, pruned_at)
            VALUES (\(bind: ws), \(bind: record.position), \(bind: record.hash), \(bind: count), \(bind: now.epochMilliseconds))
            ON CONFLICT (workspace_id) DO UPDATE SET through_position = excluded.through_position,
              through_hash = excluded.through_hash, pruned_count = audit_checkpoints.pruned_count + excluded.pruned_count,
              pruned_at = excluded.pruned_at
            """).run()
        return Int(count)
    }

    /// Workspaces that have an audit log (for retention).
    func workspaces(on db: any SQLDatabase) async throws -> [UUID] {
        try await db.raw("SELECT workspace_id FROM audit_chains").all().map { try $0.uuid("workspace_id") }
    }

    static func decode(_ row: any SQLRow) throws -> AuditRecord {
        AuditRecord(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            position: try row.decode(column: "position", as: Int64.self), eventID: try row.optionalUUID("event_id"),
            action: try row.decode(column: "action", as: String.self), actorID: try row.optionalUUID("actor_id"),
            actorType: try row.decode(column: "actor_type", as: String.self),
            actorRole: try row.decode(column: "actor_role", as: String?.self),
            subjectType: try row.decode(column: "subject_type", as: String.self), subjectID: try row.optionalUUID("subject_id"),
            ip: try row.decode(column: "ip", as: String?.self), userAgent: try row.decode(column: "user_agent", as: String?.self),
            via: try row.decode(column: "via", as: String?.self), requestID: try row.decode(column: "request_id", as: String?.self),
            occurredAt: try row.date("occurred_at"), recordedAt: try row.date("recorded_at"),
            data: try row.decode(column: "data", as: String.self),
            previousHash: try row.decode(column: "prev_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }
}
