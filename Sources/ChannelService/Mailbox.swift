import Foundation
import HelpdeskCore

/// An address customers write to. Mail reaches it by IMAP polling or by pipe/push ingestion.
public struct Mailbox: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    public var address: String
    public var name: String
    public var teamID: UUID?
    public var allowNewSenders: Bool
    /// The `authserv-id` of the MTA that receives this mailbox's mail: only its `Authentication-Results` are
    /// believed, and mail from a staff address acts as staff only when they verify it. Nil believes none.
    public var trustedAuthservID: String? = nil
    public var imap: IMAPSettings?
    public let createdAt: Date
    public var updatedAt: Date
}

/// How to fetch a mailbox over IMAP. The password is stored encrypted and never leaves the server.
public struct IMAPSettings: Sendable, Equatable {
    public enum Security: String, Sendable, CaseIterable { case none, starttls, tls }
    public var host: String
    public var port: Int
    public var security: Security
    public var username: String
    /// AES-GCM sealed box (base64) of the password.
    var sealedPassword: String
    public var folder: String
    public var pollSeconds: Int
    /// Where handled messages are moved; nil marks them seen and leaves them in `folder`.
    public var processedFolder: String?
    /// False accepts a self-signed certificate (a private mail server); true by default.
    public var verifyCertificate: Bool = true
}

extension Mailbox: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, address, name, imap
        case teamID = "team_id"
        case allowNewSenders = "allow_new_senders"
        case trustedAuthservID = "trusted_authserv_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    struct PublicIMAP: Encodable {
        let settings: IMAPSettings
        enum CodingKeys: String, CodingKey {
            case host, port, security, username, folder
            case pollSeconds = "poll_seconds"
            case passwordSet = "password_set"
            case processedFolder = "processed_folder"
            case verifyCertificate = "verify_certificate"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(settings.host, forKey: .host)
            try c.encode(settings.port, forKey: .port)
            try c.encode(settings.security.rawValue, forKey: .security)
            try c.encode(settings.username, forKey: .username)
            try c.encode(settings.folder, forKey: .folder)
            try c.encode(settings.pollSeconds, forKey: .pollSeconds)
            try c.encode(settings.processedFolder, forKey: .processedFolder)
            try c.encode(settings.verifyCertificate, forKey: .verifyCertificate)
            try c.encode(!settings.sealedPassword.isEmpty, forKey: .passwordSet)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(address, forKey: .address)
        try c.encode(name, forKey: .name)
        try c.encode(teamID?.lowercased, forKey: .teamID)
        try c.encode(allowNewSenders, forKey: .allowNewSenders)
        try c.encode(trustedAuthservID, forKey: .trustedAuthservID)
        try c.encode(imap.map(PublicIMAP.init), forKey: .imap)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// What happened to one inbound message.
public struct IngestResult: Sendable, Equatable, Encodable {
    public enum Action: String, Sendable, Encodable { case created, replied, ignored }
    public let action: Action
    public let ticketID: UUID?
    public let commentID: UUID?
    /// Why a message was ignored (`automatic`, `own_mail`, `unknown_sender`, `inactive_sender`, `rate_limited`).
    public let reason: String?

    enum CodingKeys: String, CodingKey {
        case action, reason
        case ticketID = "ticket_id"
        case commentID = "comment_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action, forKey: .action)
        try c.encode(ticketID?.lowercased, forKey: .ticketID)
        try c.encode(commentID?.lowercased, forKey: .commentID)
        try c.encodeIfPresent(reason, forKey: .reason)
    }
}

/// A message that could not be turned into a ticket or reply, kept with its bytes for an admin to retry.
public struct FailedMessage: Sendable, Encodable {
    public let id: UUID
    public let mailboxID: UUID
    public let messageID: String?
    public let from: String?
    public let subject: String?
    public let error: String
    public let receivedAt: Date
    public let attempts: Int
    /// False for a message kept without its bytes (refused for its size before it was fetched).
    public var retryable = true

    enum CodingKeys: String, CodingKey {
        case id, from, subject, error, attempts, retryable
        case mailboxID = "mailbox_id"
        case messageID = "message_id"
        case receivedAt = "received_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(mailboxID.lowercased, forKey: .mailboxID)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(from, forKey: .from)
        try c.encode(subject, forKey: .subject)
        try c.encode(error, forKey: .error)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(retryable, forKey: .retryable)
        try c.encode(receivedAt, forKey: .receivedAt)
    }
}
