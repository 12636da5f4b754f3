import Logging
import NIOConcurrencyHelpers

/// One outgoing email.
public struct MailMessage: Sendable, Equatable {
    public let to: String
    public let subject: String
    public let body: String

    public init(to: String, subject: String, body: String) {
        self.to = to
        self.subject = subject
        self.body = body
    }
}

/// Sends email. Embedded mode logs it; an SMTP implementation comes with the notifications service.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}

/// The embedded mailer: writes each message to the log, so an operator without SMTP can still read reset links.
public struct LogMailer: Mailer {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ message: MailMessage) async throws {
        logger.notice("email (not sent: no SMTP configured)", metadata: [
            "to": "\(message.to)", "subject": "\(message.subject)", "body": "\(message.body)",
        ])
    }
}

/// Keeps every message in memory: for tests and for an embedded outbox viewer.
public final class MemoryMailer: Mailer {
    private let box = NIOLockedValueBox<[MailMessage]>([])

    public init() {}

    public func send(_ message: MailMessage) async throws {
        box.withLockedValue { $0.append(message) }
    }

    /// Every message sent so far, oldest first.
    public var messages: [MailMessage] { box.withLockedValue { $0 } }
}
