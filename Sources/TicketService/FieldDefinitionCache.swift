import Foundation
import SQLKit
import HelpdeskCore
import NIOConcurrencyHelpers

/// The custom field definitions of each workspace, as ticket reads present them. Every ticket read needed them
/// (a second query per request); they change rarely. Kept for `lifetime` seconds, and dropped at once when this
/// process changes a definition; another process's change shows within `lifetime`. Validation of writes never
/// uses it: it reads the definitions inside its transaction.
final class FieldDefinitionCache: Sendable {
    static let shared = FieldDefinitionCache()
    static let lifetime: TimeInterval = 5

    private let entries = NIOLockedValueBox<[UUID: (fields: [TicketField], until: Date)]>([:])

    func fields(workspaceID: UUID, load: () async throws -> [TicketField]) async throws -> [TicketField] {
        let now = Date()
        if let hit = entries.withLockedValue({ $0[workspaceID] }), hit.until > now { return hit.fields }
        let fresh = try await load()
        entries.withLockedValue { $0[workspaceID] = (fresh, now.addingTimeInterval(Self.lifetime)) }
        return fresh
    }

    func invalidate(workspaceID: UUID) {
        entries.withLockedValue { _ = $0.removeValue(forKey: workspaceID) }
    }
}

extension TicketStore {
    /// Field definitions for presenting tickets (cached; see `FieldDefinitionCache`).
    func presentationFields(workspaceID: UUID, on db: any SQLDatabase) async throws -> [TicketField] {
        try await FieldDefinitionCache.shared.fields(workspaceID: workspaceID) {
            try await fields(workspaceID: workspaceID, on: db)
        }
    }
}
