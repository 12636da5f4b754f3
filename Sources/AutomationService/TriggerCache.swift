import Foundation
import Platform
import SQLKit
import Synchronization

/// Each workspace's active triggers, parsed, kept until their revision moves: reading and parsing fifty stored rules
/// on every ticket event cost more than running them (bench/RESULTS.md, "rules").
final class TriggerCache: Sendable {
    private let entries = Mutex<[UUID: (revision: Int64, triggers: [Trigger])]>([:])

    /// The workspace's runnable triggers as of its current revision (one indexed read when nothing changed).
    func triggers(workspaceID: UUID, store: TriggerStore, on db: any SQLDatabase) async throws -> [Trigger] {
        let revision = try await store.revision(workspaceID: workspaceID, on: db)
        if let cached = entries.withLock({ $0[workspaceID] }), cached.revision == revision { return cached.triggers }
        // Read after the revision: a change committed in between makes the next event read again, never miss it.
        let triggers = try await store.triggers(workspaceID: workspaceID, on: db).filter { $0.active && $0.problems.isEmpty }
        entries.withLock { $0[workspaceID] = (revision, triggers) }
        return triggers
    }
}
