import Foundation
import HelpdeskCore

/// An uploaded file's metadata; the bytes live in the blob store under `sha256`.
public struct StoredFile: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID
    public var uploaderID: UUID
    public var filename: String
    public var contentType: String
    public var size: Int64
    public var sha256: String
    public var createdAt: Date
    public var ticketID: UUID?
    public var commentID: UUID?
    public var attachedPublic: Bool?

    var info: AttachmentInfo {
        AttachmentInfo(id: id, filename: filename, contentType: contentType, size: size, sha256: sha256, createdAt: createdAt)
    }
}

extension StoredFile: Encodable {
    public func encode(to encoder: any Encoder) throws { try info.encode(to: encoder) }
}
