import Foundation

/// What a notification is about: each has its template (per locale) and its preference switch per channel.
public enum NotificationKind: String, Sendable, CaseIterable, Codable {
    /// To the requester: we received your request.
    case ticketCreated = "ticket_created"
    /// To an agent or team: a ticket is now yours.
    case ticketAssigned = "ticket_assigned"
    /// To the requester and followers: an agent answered.
    case publicReply = "public_reply"
    /// To the assignee (or team): the customer answered.
    case customerReply = "customer_reply"
    /// To staff only: an internal note was added.
    case internalNote = "internal_note"
    /// To the requester and followers: the ticket was solved.
    case ticketSolved = "ticket_solved"
    /// To followers: a public field changed.
    case ticketUpdated = "ticket_updated"
    /// To a staff member: mail claiming their address arrived unverified and was kept without staff rights.
    case unverifiedSender = "unverified_sender"
}

/// Where a notification goes. Web push and SMS join by adding a case and a `NotificationChannelSender`.
public enum NotificationChannel: String, Sendable, CaseIterable, Codable {
    case inApp = "in_app"
    case email
}

/// The life of one delivery.
public enum DeliveryStatus: String, Sendable, CaseIterable, Codable {
    case queued, sent, retrying, failed
}

/// The locales shipped with templates; a user's other locales fall back to English.
public enum NotificationLocale {
    public static let supported = ["en", "fr"]

    /// `fr-CA` → `fr`; anything unsupported → `en`.
    public static func resolve(_ locale: String?) -> String {
        let language = (locale ?? "en").lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? "en"
        return supported.contains(language) ? language : "en"
    }
}
