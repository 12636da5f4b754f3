import Foundation
import HelpdeskCore
import Hummingbird
import Logging
import Platform
import SQLKit

/// The files service's settings.
public struct FileConfiguration: Sendable {
    /// Largest upload (`HELPDESK_MAX_FILE_BYTES`, default 25 MiB).
    public var maxFileBytes: Int64 = 25 * 1024 * 1024
    /// Detected content types refused at upload.
    public var deniedTypes: Set<String> = ContentSniffer.defaultDenied
    /// How long an upload may stay unattached before it is removed.
    public var unattachedLifetime: TimeInterval = 24 * 3600
    /// Scans every upload when set (`--clamd-url`).
    public var scanner: ClamdScanner?

    public init() {}
}

/// Uploads, access checks, downloads and deletion of files.
public struct Files: Sendable {
    let database: Database
    public let blobs: any BlobStore
    let tickets: any TicketAccess
    let configuration: FileConfiguration
    let temporaryDirectory: String
    let clock: TimeSource
    let store = FileStore()

    public init(database: Database, blobs: any BlobStore, tickets: any TicketAccess, configuration: FileConfiguration,
                temporaryDirectory: String, clock: TimeSource = .system) throws {
        self.database = database
        self.blobs = blobs
        self.tickets = tickets
        self.configuration = configuration
        self.temporaryDirectory = temporaryDirectory
        self.clock = clock
        try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
    }

    /// Streams `body` to a temporary file while hashing and measuring it, checks its type, then hands the
    /// bytes to the blob store (once per content) and records the file. A refused upload leaves nothing.
    public func upload<Body: AsyncSequence & Sendable>(_ p: Principal, filename rawName: String?, body: Body,
                                                       context: some RequestContext) async throws -> StoredFile
    where Body.Element == ByteBuffer {
        guard let rawName, let filename = FileName.sanitize(rawName) else {
            throw HelpdeskError.validation(field: "filename", "is required and must contain a visible name")
        }
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if filename.contains("."), ContentSniffer.executableExtensions.contains(ext) {
            throw FileErrors.typeNotAllowed(".\(ext)")
        }
        let meter = UploadMeter(limit: configuration.maxFileBytes)
        let temp = "\(temporaryDirectory)/\(UUIDv7.make().lowercased).part"
        do {
            try await FileIO().writeFile(contents: MeteredBody(base: body, meter: meter), path: temp, context: context)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw meter.failure ?? error
        }
        return try await accept(p, filename: filename, spooled: temp, meter: meter)
    }

    /// Stores bytes that are already in memory (an email attachment) through the same checks as an upload:
    /// size limit, type, malware scan, dedupe.
    public func store(_ p: Principal, filename rawName: String, bytes: [UInt8]) async throws -> StoredFile {
        guard let filename = FileName.sanitize(rawName) else {
            throw HelpdeskError.validation(field: "filename", "is required and must contain a visible name")
        }
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if filename.contains("."), ContentSniffer.executableExtensions.contains(ext) {
            throw FileErrors.typeNotAllowed(".\(ext)")
        }
        let meter = UploadMeter(limit: configuration.maxFileBytes)
        try meter.consume(ByteBuffer(bytes: bytes))
        let temp = "\(temporaryDirectory)/\(UUIDv7.make().lowercased).part"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else {
            throw HelpdeskError.unavailable("The file could not be spooled.")
        }
        return try await accept(p, filename: filename, spooled: temp, meter: meter)
    }

    /// Checks a spooled file and records it; the spooled copy is always removed.
    private func accept(_ p: Principal, filename: String, spooled temp: String, meter: UploadMeter) async throws -> StoredFile {
        let contentType = ContentSniffer.detect(meter.head, filename: filename)
        if configuration.deniedTypes.contains(contentType) {
            try? FileManager.default.removeItem(atPath: temp)
            throw FileErrors.typeNotAllowed(contentType)
        }
        let sha = meter.sha256
        if meter.size == 0 {
            try? FileManager.default.removeItem(atPath: temp)
            throw HelpdeskError.validation(field: "file", "is empty")
        }
        if let scanner = configuration.scanner {
            let verdict: ClamdScanner.Verdict
            do { verdict = try await scanner.scan(file: temp) } catch {
                try? FileManager.default.removeItem(atPath: temp)
                throw error
            }
            if case .infected(let name) = verdict {
                try? FileManager.default.removeItem(atPath: temp)
                throw HelpdeskError(status: 422, code: "file_infected", title: "File infected",
                                    detail: "The file was refused: the virus scanner found \(name).",
                                    errors: [FieldError(field: "file", message: "contains malware (\(name))")])
            }
        }
        defer { try? FileManager.default.removeItem(atPath: temp) }
        try await blobs.put(localFile: temp, key: sha)
        let now = clock.now
        let file = StoredFile(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, uploaderID: p.userID, filename: filename,
                              contentType: contentType, size: meter.size, sha256: sha, createdAt: now)
        let store = self.store
        try await database.transaction { db in
            try await store.insert(file, on: db)
            try await Outbox.append(Self.event("file.uploaded", file, p.actor, at: now, [
                "filename": .string(file.filename), "content_type": .string(file.contentType),
                "size": .number(Double(file.size)), "sha256": .string(file.sha256),
            ]), on: db)
        }
        // The bytes may have been deleted with the last other file using them between `put` (which found them
        // stored and kept our copy) and our row's commit: store them again from the copy.
        if try await !blobs.exists(key: sha) { try await blobs.put(localFile: temp, key: sha) }
        return file
    }

    /// The file if `p` may read it: its uploader, or whoever may see the comment it is attached to.
    public func get(_ p: Principal, id: UUID) async throws -> StoredFile {
        guard let file = try await store.file(workspaceID: p.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("file")
        }
        if file.uploaderID == p.userID { return file }
        if let ticketID = file.ticketID,
           try await tickets.canSeeComment(p, ticketID: ticketID, isPublic: file.attachedPublic ?? false) {
            return file
        }
        throw HelpdeskError.notFound("file")
    }

    /// Streams the bytes (all, or a range).
    public func content(_ file: StoredFile, range: ClosedRange<Int>?, context: some RequestContext) async throws -> ResponseBody {
        try await blobs.read(key: file.sha256, range: range, context: context)
    }

    /// Deletes a file: its uploader while it is unattached, or an admin. Bytes go when no file uses them.
    public func delete(_ p: Principal, id: UUID) async throws {
        let file = try await get(p, id: id)
        guard p.role == .admin || (file.uploaderID == p.userID && file.commentID == nil) else {
            throw HelpdeskError.forbidden("Attached files can be deleted by admins only.")
        }
        try await remove(file, actor: p.actor)
    }

    func remove(_ file: StoredFile, actor: EventActor) async throws {
        let now = clock.now
        let store = self.store
        let blobs = self.blobs
        try await database.transaction { db in
            try await store.markDeleted(id: file.id, at: now, on: db)
            try await Outbox.append(Self.event("file.deleted", file, actor, at: now, ["sha256": .string(file.sha256)]), on: db)
            // Inside the transaction: an upload of the same bytes cannot record itself meanwhile (see the notes on
            // the blob store for the remaining window).
            if try await store.references(sha256: file.sha256, on: db) == 0 { try await blobs.delete(key: file.sha256) }
        }
    }

    /// Removes uploads never attached within their lifetime, in one workspace or (the background job) all;
    /// returns how many.
    @discardableResult
    public func removeExpired(workspaceID: UUID? = nil) async throws -> Int {
        let cutoff = clock.now.addingTimeInterval(-configuration.unattachedLifetime)
        var removed = 0
        while true {
            let batch = try await store.expired(before: cutoff, workspaceID: workspaceID, limit: 100, on: database.sql)
            if batch.isEmpty { return removed }
            for file in batch { try await remove(file, actor: .system) }
            removed += batch.count
        }
    }

    static func event(_ type: String, _ file: StoredFile, _ actor: EventActor, at: Date,
                      _ data: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: file.workspaceID, actor: actor, subject: EventSubject(type: "file", id: file.id),
                      occurredAt: at, data: .object(data))
    }
}
