import Foundation

/// What the channels service asks of the tickets service: open a ticket or add a public reply on behalf of
/// a sender, with the same rules as the API (a customer replies publicly; staff replies are agent replies).
public protocol TicketIntake: Sendable {
    /// Opens a ticket as `p`; returns the ticket and its first comment.
    func openTicket(as p: Principal, subject: String, description: String, teamID: UUID?,
                    attachmentIDs: [UUID], origin: MessageOrigin) async throws -> (ticketID: UUID, commentID: UUID)
    /// Adds a public reply as `p`; returns the comment.
    func reply(as p: Principal, ticketID: UUID, body: String, attachmentIDs: [UUID], origin: MessageOrigin) async throws -> UUID
    /// The live ticket with this number, if any.
    func ticket(workspaceID: UUID, number: Int) async throws -> TicketSnapshot?
    /// Makes the agent `p` a follower of the ticket (an agent copied on an email).
    func follow(as p: Principal, ticketID: UUID) async throws
}

/// What the channels service asks of the files service: keep an attachment, with an upload's checks.
public protocol FileIntake: Sendable {
    func store(as p: Principal, filename: String, bytes: [UInt8]) async throws -> UUID
}

/// Which address answers for a ticket: the mailbox it came in through, so replies go out from the address the
/// customer wrote to. Nil for tickets that did not come by email.
public protocol ReplyAddresses: Sendable {
    func replyAddress(workspaceID: UUID, ticketID: UUID) async throws -> (name: String?, address: String)?
}

/// Where a ticket or comment came from when not through the API or the web UI.
public struct MessageOrigin: Sendable, Equatable {
    /// `email` (later `chat`, `sms`, …).
    public let channel: String
    /// The sender's address on that channel.
    public let address: String?
    /// The channel's own id of the message (an email's `Message-ID`).
    public let messageID: String?
    /// The history the sender's client quoted below the reply, cut off the comment body and kept for display.
    public let quotedText: String?
    /// The sender claimed a staff address the receiving MTA did not vouch for: the message is kept, marked, and
    /// carries no staff rights.
    public let unverifiedSender: Bool

    public init(channel: String, address: String?, messageID: String?, quotedText: String? = nil, unverifiedSender: Bool = false) {
        self.channel = channel
        self.address = address
        self.messageID = messageID
        self.quotedText = quotedText
        self.unverifiedSender = unverifiedSender
    }
}
