import Foundation
import HelpdeskCore
import Logging
import NIOConcurrencyHelpers
@_exported import SMTPClient

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

/// Hands a finished RFC 5322 message to the outside world: SMTP in production, the log or memory otherwise.
public protocol MailTransport: Sendable {
    func send(from sender: String, to recipients: [String], data: String) async throws
}

/// Mail through an SMTP server (`--smtp-url`).
public struct SMTPTransport: MailTransport {
    let client: SMTPClient

    public init(configuration: SMTPConfiguration) { client = SMTPClient(configuration: configuration) }

    public func send(from sender: String, to recipients: [String], data: String) async throws {
        try await client.send(from: sender, to: recipients, data: data)
    }
}

/// Without SMTP: each message goes to the log, so an operator can still read what would have been sent.
public struct LogMailTransport: MailTransport {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(from sender: String, to recipients: [String], data: String) async throws {
        logger.notice("email (not sent: no SMTP configured)", metadata: [
            "from": "\(sender)", "to": "\(recipients.joined(separator: ","))", "bytes": "\(data.utf8.count)",
        ])
    }
}

/// Keeps every message in memory, and can be told to fail: for tests.
public final class MemoryMailTransport: MailTransport {
    public struct Sent: Sendable { public let from: String; public let to: [String]; public let data: String }
    private let box = NIOLockedValueBox<(sent: [Sent], failing: Bool)>(([], false))

    public init() {}

    public func send(from sender: String, to recipients: [String], data: String) async throws {
        try box.withLockedValue {
            if $0.failing { throw SMTPError.connectionFailed("test transport is down") }
            $0.sent.append(Sent(from: sender, to: recipients, data: data))
        }
    }

    public var sent: [Sent] { box.withLockedValue { $0.sent } }
    public var failing: Bool {
        get { box.withLockedValue { $0.failing } }
        set { box.withLockedValue { $0.failing = newValue } }
    }
}

/// The simple `Mailer` (password resets) on top of a transport.
public struct TransportMailer: Mailer {
    let transport: any MailTransport
    let sender: MailSender

    public init(transport: any MailTransport, sender: MailSender) {
        self.transport = transport
        self.sender = sender
    }

    public func send(_ message: MailMessage) async throws {
        let mail = ComposedMail(fromName: sender.name, fromAddress: sender.address, to: [message.to], subject: message.subject,
                                text: message.body, html: nil, messageID: "\(UUIDv7.make().lowercased)@\(sender.domain)",
                                headers: [("Auto-Submitted", "auto-generated")])
        try await transport.send(from: sender.address, to: [message.to], data: mail.rendered())
    }
}

/// Who outgoing mail comes from: `Name <address>` as configured by `--mail-from`.
public struct MailSender: Sendable, Equatable {
    public let name: String?
    public let address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `Name <address>` or a bare address.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard EmailAddress.isValid(address) else { return nil }
            self.init(name: name.isEmpty ? nil : name, address: address)
        } else {
            guard EmailAddress.isValid(trimmed) else { return nil }
            self.init(name: nil, address: trimmed)
        }
    }

    /// The domain of Message-IDs.
    public var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }
}
