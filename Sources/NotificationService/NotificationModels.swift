import Foundation
import HelpdeskCore

/// An entry of a user's in-app inbox.
public struct InboxNotification: Sendable, Equatable, Encodable {
    public let id: UUID
    public let userID: UUID
    public let kind: NotificationKind
    public let ticketID: UUID?
    public let title: String
    public let body: String
    public let createdAt: Date
    public var readAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, type, title, body, read
        case ticketID = "ticket_id"
        case createdAt = "created_at"
        case readAt = "read_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(kind.rawValue, forKey: .type)
        try c.encode(ticketID?.lowercased, forKey: .ticketID)
        try c.encode(title, forKey: .title)
        try c.encode(body, forKey: .body)
        try c.encode(readAt != nil, forKey: .read)
        try c.encode(readAt, forKey: .readAt)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// The inbox page: the items plus how many are unread in total (the bell's number).
public struct InboxPage: Sendable, Encodable {
    public let items: [InboxNotification]
    public let nextCursor: String?
    public let unreadCount: Int

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
        case unreadCount = "unread_count"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
        try c.encode(unreadCount, forKey: .unreadCount)
    }
}

/// One notification on one channel, with its sending history.
public struct Delivery: Sendable, Equatable, Encodable {
    public let id: UUID
    public let workspaceID: UUID
    public let userID: UUID
    public let eventID: UUID
    public let kind: NotificationKind
    public let channel: NotificationChannel
    public let recipient: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public let subject: String
    /// The complete RFC 5322 message for email, rendered once so every retry sends the same bytes.
    public let message: String?
    public let createdAt: Date
    public var updatedAt: Date
    public var sentAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, type, channel, recipient, status, attempts, subject
        case userID = "user_id"
        case eventID = "event_id"
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case sentAt = "sent_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(kind.rawValue, forKey: .type)
        try c.encode(channel.rawValue, forKey: .channel)
        try c.encode(userID.lowercased, forKey: .userID)
        try c.encode(eventID.lowercased, forKey: .eventID)
        try c.encode(recipient, forKey: .recipient)
        try c.encode(status.rawValue, forKey: .status)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(subject, forKey: .subject)
        try c.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(sentAt, forKey: .sentAt)
    }
}

/// Filters of the deliveries list.
public struct DeliveryFilter: Sendable {
    public var status: DeliveryStatus?
    public var channel: NotificationChannel?
    public var userID: UUID?
    public var kind: NotificationKind?
    public init() {}
}
