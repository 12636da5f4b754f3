import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// All SQL of the files service.
struct FileStore: Sendable {
    static let columns = """
        id, workspace_id, uploader_id, filename, content_type, size, sha256, created_at, ticket_id, comment_id, attached_public
        """

    func insert(_ f: StoredFile, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO files (id, workspace_id, uploader_id, filename, content_type, size, sha256, created_at)
            VALUES (\(bind: f.id.lowercased), \(bind: f.workspaceID.lowercased), \(bind: f.uploaderID.lowercased),
                    \(bind: f.filename), \(bind: f.contentType), \(bind: f.size), \(bind: f.sha256),
                    \(bind: f.createdAt.epochMilliseconds))
            """).run()
    }

    func file(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> StoredFile? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM files
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased) AND deleted_at IS NULL
            """).first().map(Self.decode)
    }

    func attach(id: UUID, ticketID: UUID, commentID: UUID, isPublic: Bool, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE files SET ticket_id = \(bind: ticketID.lowercased), comment_id = \(bind: commentID.lowercased),
                attached_public = \(bind: isPublic)
            WHERE id = \(bind: id.lowercased)
            """).run()
    }

    func detach(workspaceID: UUID, commentID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE files SET ticket_id = NULL, comment_id = NULL, attached_public = NULL
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND comment_id = \(bind: commentID.lowercased)
            """).run()
    }

    func markDeleted(id: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE files SET deleted_at = \(bind: now.epochMilliseconds) WHERE id = \(bind: id.lowercased)").run()
    }

    /// Live files still using these bytes.
    func references(sha256: String, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM files WHERE sha256 = \(bind: sha256) AND deleted_at IS NULL
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Unattached uploads older than `cutoff`, in one workspace or all.
    func expired(before cutoff: Date, workspaceID: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [StoredFile] {
        var q = SQLQueryString("""
            SELECT \(unsafeRaw: Self.columns) FROM files
            WHERE comment_id IS NULL AND deleted_at IS NULL AND created_at < \(bind: cutoff.epochMilliseconds)
            """)
        if let workspaceID {
            q.appendInterpolation(unsafeRaw: " AND workspace_id = ")
            q.appendInterpolation(bind: workspaceID.lowercased)
        }
        q.appendInterpolation(unsafeRaw: " ORDER BY created_at LIMIT \(limit)")
        return try await db.raw(q).all().map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> StoredFile {
        StoredFile(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"), uploaderID: try row.uuid("uploader_id"),
            filename: try row.decode(column: "filename", as: String.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            size: try row.decode(column: "size", as: Int64.self), sha256: try row.decode(column: "sha256", as: String.self),
            createdAt: try row.date("created_at"), ticketID: try row.optionalUUID("ticket_id"),
            commentID: try row.optionalUUID("comment_id"),
            attachedPublic: try row.decode(column: "attached_public", as: Bool?.self))
    }
}
