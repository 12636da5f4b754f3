import Foundation

/// A parsed email: the headers that matter to a helpdesk, the body as text (and HTML when there was some),
/// and the attachments.
public struct MIMEMessage: Sendable {
    public let headers: MIMEHeaders
    public let subject: String
    public let from: MailAddress?
    public let to: [MailAddress]
    public let cc: [MailAddress]
    public let replyTo: MailAddress?
    public let messageID: String?
    public let inReplyTo: [String]
    public let references: [String]
    public let date: Date?
    /// The body as plain text (HTML converted when the message had no text part).
    public let text: String
    /// The HTML body, when the message had one (not sanitized: never display it as is).
    public let html: String?
    public let attachments: [MIMEAttachment]
    /// The top-level content type, e.g. `multipart/report` for a bounce.
    public let contentType: String

    /// True for mail that must never open a ticket or a reply: auto-replies, bulk and list mail, bounces.
    public var isAutomatic: Bool {
        if let auto = headers["Auto-Submitted"]?.lowercased(), !auto.hasPrefix("no") { return true }
        if let precedence = headers["Precedence"]?.lowercased().trimmingCharacters(in: .whitespaces),
           ["bulk", "list", "junk"].contains(precedence) { return true }
        if headers["X-Autoreply"] != nil || headers["X-Autorespond"] != nil { return true }
        if let local = from?.address.split(separator: "@").first?.lowercased(),
           ["mailer-daemon", "postmaster"].contains(local) { return true }
        return contentType == "multipart/report"
    }
}

/// A file that came with a message.
public struct MIMEAttachment: Sendable, Equatable {
    public let filename: String
    /// `type/subtype`, lowercased.
    public let contentType: String
    public let data: [UInt8]
    /// `Content-ID` without brackets, for inline images the HTML refers to.
    public let contentID: String?
    public let isInline: Bool
}
