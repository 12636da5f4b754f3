import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Reads for other services (through `TicketDirectory`): deleted tickets included, no visibility rules.
extension TicketStore {
    func anyTicket(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> Ticket? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM tickets
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first().map(Self.decodeTicket)
    }

    func comment(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> CommentSnapshot? {
        guard let row = try await db.raw("""
            SELECT id, ticket_id, author_id, body, is_public, created_at, unverified_sender FROM comments
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).first() else { return nil }
        return CommentSnapshot(id: try row.uuid("id"), ticketID: try row.uuid("ticket_id"), authorID: try row.uuid("author_id"),
                               body: try row.decode(column: "body", as: String.self),
                               isPublic: try row.decode(column: "is_public", as: Bool.self),
                               createdAt: try row.date("created_at"),
                               unverifiedSender: try row.decode(column: "unverified_sender", as: Bool.self))
    }
}
