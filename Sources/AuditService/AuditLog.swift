import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The audit log: records every event once, in a per-workspace hash chain, and answers admins' questions.
public struct AuditLog: Sendable {
    let database: Database
    let store: AuditStore
    let clock: TimeSource

    public init(database: Database, clock: TimeSource = .system) {
        self.database = database
        store = AuditStore(kind: database.kind)
        self.clock = clock
    }

    /// Appends `event` to its workspace's chain unless it is already recorded (redeliveries are no-ops).
    @discardableResult
    public func record(_ event: EventEnvelope) async throws -> Bool {
        try await record([event]) == 1
    }

    /// Appends the events not yet recorded to their workspaces' chains, in order: one transaction per workspace
    /// instead of one per event, so a consumer that fell behind catches up with a few round trips per batch.
    /// Returns how many were appended (redelivered events are skipped).
    @discardableResult
    public func record(_ events: [EventEnvelope]) async throws -> Int {
        var byWorkspace: [UUID: [EventEnvelope]] = [:]
        var workspaces: [UUID] = []
        for event in events {
            if byWorkspace[event.workspaceID] == nil { workspaces.append(event.workspaceID) }
            byWorkspace[event.workspaceID, default: []].append(event)
        }
        var appended = 0
        for workspaceID in workspaces {
            appended += try await record(byWorkspace[workspaceID]!, workspaceID: workspaceID)
        }
        return appended
    }

    private func record(_ events: [EventEnvelope], workspaceID: UUID) async throws -> Int {
        let data = try events.map { String(decoding: try EventJSON.encoder().encode($0.data), as: UTF8.self) }
        let recordedAt = clock.now
        return try await database.transaction { db in
            // The head lock comes first: two consumers recording the same events queue here, and the second
            // then sees the first's rows and skips them.
            var head = try await store.lockHead(workspaceID: workspaceID, on: db)
            var seen = try await store.recordedEventIDs(events.map(\.id), on: db)
            var records: [AuditRecord] = []
            for (event, data) in zip(events, data) where seen.insert(event.id).inserted {
                let context = event.context
                let record = AuditRecord(
                    id: UUIDv7.make(), workspaceID: workspaceID, position: head.position + 1, eventID: event.id,
                    action: event.type, actorID: event.actor.id, actorType: event.actor.type, actorRole: context?.actorRole,
                    subjectType: event.subject.type, subjectID: event.subject.id, ip: context?.ip,
                    userAgent: context?.userAgent, via: context?.via ?? "system", requestID: context?.requestID,
                    occurredAt: event.occurredAt, recordedAt: recordedAt, data: data, previousHash: head.hash, hash: ""
                ).sealed()
                head = (record.position, record.hash)
                records.append(record)
            }
            try await store.append(records, on: db)
            return records.count
        }
    }

    /// Newest first; the cursor is the position of the last record of the previous page.
    public func list(_ p: Principal, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> {
        try p.require(.admin)
        var before: Int64?
        if let after = page.after {
            guard let position = Int64(after) else { throw HelpdeskError.badParameter("cursor", "does not belong to this list") }
            before = position
        }
        let rows = try await store.records(workspaceID: p.workspaceID, filter: filter, beforePosition: before,
                                           limit: page.limit + 1, on: database.sql)
        let items = Array(rows.prefix(page.limit))
        return Page(items: items, nextCursor: rows.count > page.limit ? items.last.map { Cursor.encode(String($0.position)) } : nil)
    }

    /// Oldest first, `batch` records at a time, for exports: never the whole log in memory.
    public func forEachBatch(_ p: Principal, filter: AuditFilter, batch: Int = 500,
                             _ body: ([AuditRecord]) async throws -> Void) async throws {
        try p.require(.admin)
        var after: Int64 = 0
        while true {
            let rows = try await store.records(workspaceID: p.workspaceID, filter: filter, afterPosition: after,
                                               limit: batch, on: database.sql)
            if rows.isEmpty { return }
            try await body(rows)
            after = rows.last!.position
            if rows.count < batch { return }
        }
    }

    /// Walks the chain from its start (or the retention checkpoint): each record's hash must match its content,
    /// point at the previous record's hash, and positions must follow each other. Names the first record
    /// that does not.
    public func verify(_ p: Principal) async throws -> AuditVerification {
        try p.require(.admin)
        return try await verify(workspaceID: p.workspaceID)
    }

    func verify(workspaceID: UUID) async throws -> AuditVerification {
        // The head first: records appended while we walk lie beyond it and are left for the next check.
        let head = try await store.head(workspaceID: workspaceID, on: database.sql)
        let checkpoint = try await store.checkpoint(workspaceID: workspaceID, on: database.sql)
        var expectedPrevious = checkpoint?.hash ?? ""
        var expectedPosition = (checkpoint?.position ?? 0) + 1
        var checked = 0
        var after: Int64 = 0
        while true {
            let rows = try await store.records(workspaceID: workspaceID, filter: AuditFilter(), afterPosition: after,
                                               limit: 1_000, on: database.sql)
            for record in rows where record.position <= (head?.position ?? 0) {
                guard record.position == expectedPosition, record.previousHash == expectedPrevious,
                      record.hash == record.computedHash else {
                    return AuditVerification(ok: false, checked: checked, firstBadID: record.id,
                                             problem: "record at position \(record.position) does not match the chain")
                }
                checked += 1
                expectedPrevious = record.hash
                expectedPosition += 1
            }
            guard let last = rows.last, rows.count == 1_000 else { break }
            after = last.position
        }
        // Rows deleted from the end leave no record to name, but the head remembers where the chain ended.
        if let head, head.position != expectedPosition - 1 || head.hash != expectedPrevious {
            return AuditVerification(ok: false, checked: checked, firstBadID: nil,
                                     problem: "records after position \(expectedPosition - 1) are missing")
        }
        return AuditVerification(ok: true, checked: checked, firstBadID: nil)
    }

    /// Removes records that occurred before `cutoff` in every workspace; the chain stays verifiable from a
    /// checkpoint holding the last removed record's hash, and the pruning itself is recorded in the chain.
    /// Returns how many records were removed.
    @discardableResult
    public func prune(before cutoff: Date, workspaceID only: UUID? = nil) async throws -> Int {
        var total = 0
        for workspaceID in try await store.workspaces(on: database.sql) where only == nil || only == workspaceID {
            let now = clock.now
            let removed = try await database.transaction { db -> Int in
                _ = try await store.lockHead(workspaceID: workspaceID, on: db)
                guard let last = try await store.lastRecord(workspaceID: workspaceID, before: cutoff, on: db) else { return 0 }
                return try await store.prune(workspaceID: workspaceID, through: last, at: now, on: db)
            }
            guard removed > 0 else { continue }
            total += removed
            try await record(EventEnvelope(
                type: "audit.pruned", workspaceID: workspaceID, actor: .system,
                subject: EventSubject(type: "audit_log", id: workspaceID), occurredAt: now,
                data: ["removed": .number(Double(removed)), "before": .string(RFC3339.string(from: cutoff))],
                context: EventContext(via: "system")))
        }
        return total
    }
}
