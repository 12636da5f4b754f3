import Foundation
import HelpdeskCore
import Platform

/// Input of a mailbox create or update; nil leaves a field alone on update.
public struct MailboxInput: Sendable {
    public var address: String?
    public var name: String?
    public var teamID: FieldUpdate<UUID?> = .absent
    public var allowNewSenders: Bool?
    /// `.set(nil)` believes no `Authentication-Results` header.
    public var trustedAuthservID: FieldUpdate<String?> = .absent
    /// `.set(nil)` removes IMAP (push-only mailbox).
    public var imap: FieldUpdate<IMAPInput?> = .absent
    public init() {}
}

public struct IMAPInput: Sendable, Equatable {
    public var host: String?
    public var port: Int?
    public var security: String?
    public var username: String?
    /// Write-only; nil on update keeps the stored one.
    public var password: String?
    public var folder: String?
    public var pollSeconds: Int?
    /// `.set(nil)` goes back to marking messages seen.
    public var processedFolder: FieldUpdate<String?> = .absent
    public var verifyCertificate: Bool?
    public init() {}
}

/// Admin management of mailboxes.
public struct Mailboxes: Sendable {
    let database: Database
    let store: ChannelStore
    let users: any UserDirectory
    let secrets: SecretBox
    let clock: TimeSource

    public func list(_ p: Principal, page: PageRequest) async throws -> Page<Mailbox> {
        try p.require(.admin)
        let rows = try await store.mailboxes(workspaceID: p.workspaceID, after: try page.afterID(), limit: page.limit + 1,
                                             on: database.sql)
        return Page(rows: rows, limit: page.limit) { $0.id.lowercased }
    }

    public func get(_ p: Principal, id: UUID) async throws -> Mailbox {
        try p.require(.admin)
        guard let m = try await store.mailbox(workspaceID: p.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("mailbox")
        }
        return m
    }

    public func create(_ p: Principal, _ input: MailboxInput) async throws -> Mailbox {
        try p.require(.admin)
        var errors: [FieldError] = []
        if input.address == nil { errors.append(FieldError(field: "address", message: "is required")) }
        if input.name == nil { errors.append(FieldError(field: "name", message: "is required")) }
        let now = clock.now
        var mailbox = Mailbox(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, address: "", name: "", teamID: nil,
                              allowNewSenders: true, imap: nil, createdAt: now, updatedAt: now)
        try await apply(input, to: &mailbox, creating: true, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let created = mailbox
        do {
            try await database.transaction { [store] db in
                if try await store.mailbox(workspaceID: p.workspaceID, address: created.address, on: db) != nil {
                    throw Self.taken()
                }
                try await store.insert(created, on: db)
            }
        } catch where Database.isUniqueViolation(error) {
            throw Self.taken()
        }
        return created
    }

    public func update(_ p: Principal, id: UUID, _ input: MailboxInput) async throws -> Mailbox {
        var mailbox = try await get(p, id: id)
        var errors: [FieldError] = []
        try await apply(input, to: &mailbox, creating: false, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        mailbox.updatedAt = clock.now
        let updated = mailbox
        do {
            try await database.transaction { [store] db in
                if let other = try await store.mailbox(workspaceID: p.workspaceID, address: updated.address, on: db), other.id != id {
                    throw Self.taken()
                }
                try await store.update(updated, on: db)
            }
        } catch where Database.isUniqueViolation(error) {
            throw Self.taken()
        }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        _ = try await get(p, id: id)
        try await database.transaction { [store] db in try await store.delete(workspaceID: p.workspaceID, id: id, on: db) }
    }

    static func taken() -> HelpdeskError {
        HelpdeskError.conflict(code: "mailbox_exists", "A mailbox with this address exists already.", field: "address")
    }

    private func apply(_ input: MailboxInput, to m: inout Mailbox, creating: Bool, errors: inout [FieldError]) async throws {
        if let address = input.address {
            let normalized = EmailAddress.normalize(address)
            if EmailAddress.isValid(normalized) { m.address = normalized } else {
                errors.append(FieldError(field: "address", message: "must be an email address"))
            }
        }
        if let name = input.name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || name.textLength > 200 { errors.append(FieldError(field: "name", message: "must be 1 to 200 characters")) }
            m.name = trimmed
        }
        if case .set(let team) = input.teamID {
            if let team, try await !users.teamExists(workspaceID: m.workspaceID, id: team) {
                errors.append(FieldError(field: "team_id", message: "is not a team of this workspace"))
            }
            m.teamID = team
        }
        if let allow = input.allowNewSenders { m.allowNewSenders = allow }
        if case .set(let id) = input.trustedAuthservID {
            let trimmed = id?.trimmingCharacters(in: .whitespaces)
            // RFC 8601 `authserv-id` is a value (token or quoted string); in practice a host name.
            if let trimmed, trimmed.isEmpty || trimmed.utf8.count > 253
                || !trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 && !"\";()<>@,:\\[]?=".unicodeScalars.contains($0) }) {
                errors.append(FieldError(field: "trusted_authserv_id", message: "must be the receiving server's authserv-id, a host name such as mx.example.com"))
            }
            m.trustedAuthservID = trimmed
        }
        switch input.imap {
        case .absent: break
        case .set(nil): m.imap = nil
        case .set(let imap?): m.imap = try imapSettings(imap, existing: m.imap, errors: &errors)
        }
    }

    private func imapSettings(_ input: IMAPInput, existing: IMAPSettings?, errors: inout [FieldError]) throws -> IMAPSettings? {
        let security = input.security.map { IMAPSettings.Security(rawValue: $0) } ?? .some(existing?.security ?? .tls)
        if security == nil { errors.append(FieldError(field: "imap.security", message: "must be none, starttls or tls")) }
        let host = (input.host ?? existing?.host ?? "").trimmingCharacters(in: .whitespaces)
        if host.isEmpty || host.textLength > 253 || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
            errors.append(FieldError(field: "imap.host", message: "must be a host name or address"))
        }
        let port = input.port ?? existing?.port ?? (security == .tls ? 993 : 143)
        if !(1...65535).contains(port) { errors.append(FieldError(field: "imap.port", message: "must be 1 to 65535")) }
        let username = input.username ?? existing?.username ?? ""
        if username.isEmpty || username.textLength > 320 { errors.append(FieldError(field: "imap.username", message: "is required")) }
        var sealed = existing?.sealedPassword ?? ""
        if let password = input.password {
            if password.isEmpty || password.utf8.count > 1_024 {
                errors.append(FieldError(field: "imap.password", message: "must be 1 to 1024 bytes"))
            } else {
                sealed = try secrets.seal(password)
            }
        } else if sealed.isEmpty {
            errors.append(FieldError(field: "imap.password", message: "is required"))
        } else if let existing, existing.host != host || existing.port != port || existing.username != username
                    || existing.security != (security ?? existing.security)
                    || (input.verifyCertificate == false && existing.verifyCertificate) {
            // The stored password only ever goes to the server it was given for.
            errors.append(FieldError(field: "imap.password", message: "is required again when the server, user or security changes"))
        }
        let folder = input.folder ?? existing?.folder ?? "INBOX"
        if folder.isEmpty || folder.textLength > 200 || folder.contains(where: \.isNewline) {
            errors.append(FieldError(field: "imap.folder", message: "must be 1 to 200 characters"))
        }
        let poll = input.pollSeconds ?? existing?.pollSeconds ?? 60
        if !(10...3_600).contains(poll) { errors.append(FieldError(field: "imap.poll_seconds", message: "must be 10 to 3600")) }
        var processed = existing?.processedFolder
        if case .set(let value) = input.processedFolder { processed = value }
        if let processed, processed.isEmpty || processed.textLength > 200 || processed.contains(where: \.isNewline) || processed == folder {
            errors.append(FieldError(field: "imap.processed_folder", message: "must be 1 to 200 characters and differ from folder"))
        }
        return IMAPSettings(host: host, port: port, security: security ?? .tls, username: username, sealedPassword: sealed,
                            folder: folder, pollSeconds: poll, processedFolder: processed,
                            verifyCertificate: input.verifyCertificate ?? existing?.verifyCertificate ?? true)
    }
}
