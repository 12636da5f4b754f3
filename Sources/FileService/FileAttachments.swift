import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// `AttachmentRegistry` for the tickets service: attaches the caller's uploads to a comment, all or none.
public struct FileAttachments: AttachmentRegistry {
    let database: Database
    let clock: TimeSource
    let store = FileStore()

    public init(database: Database, clock: TimeSource = .system) {
        self.database = database
        self.clock = clock
    }

    public func attach(workspaceID: UUID, fileIDs: [UUID], uploaderID: UUID, ticketID: UUID, commentID: UUID,
                       isPublic: Bool) async throws -> [AttachmentInfo] {
        guard !fileIDs.isEmpty else { return [] }
        if fileIDs.count > 20 { throw HelpdeskError.validation(field: "attachment_ids", "must hold at most 20 files") }
        let store = self.store
        let now = clock.now
        return try await database.transaction { db in
            var errors: [FieldError] = []
            var files: [StoredFile] = []
            for (i, id) in fileIDs.enumerated() {
                let field = "attachment_ids[\(i)]"
                guard let file = try await store.file(workspaceID: workspaceID, id: id, on: db) else {
                    errors.append(.init(field: field, message: "does not exist")); continue
                }
                if file.uploaderID != uploaderID { errors.append(.init(field: field, message: "was uploaded by someone else")) }
                else if file.commentID != nil { errors.append(.init(field: field, message: "is already attached elsewhere")) }
                else if files.contains(where: { $0.id == id }) { errors.append(.init(field: field, message: "is listed twice")) }
                else { files.append(file) }
            }
            if !errors.isEmpty { throw HelpdeskError.validation(errors) }
            for file in files {
                try await store.attach(id: file.id, ticketID: ticketID, commentID: commentID, isPublic: isPublic, on: db)
                try await Outbox.append(Files.event("file.attached", file, EventActor(id: uploaderID, type: "user"), at: now, [
                    "ticket_id": .string(ticketID.lowercased), "comment_id": .string(commentID.lowercased),
                    "public": .bool(isPublic),
                ]), on: db)
            }
            return files.map(\.info)
        }
    }

    public func detach(workspaceID: UUID, commentID: UUID) async throws {
        let store = self.store
        try await database.transaction { db in try await store.detach(workspaceID: workspaceID, commentID: commentID, on: db) }
    }
}
