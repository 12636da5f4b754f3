import Crypto
import Foundation
import HelpdeskCore
import Logging
import MIME
import Platform

/// Turns one raw email into a ticket, a reply, or nothing, exactly once per message. Used by pipe ingestion
/// (`helpdesk mail ingest`), push (`POST /mailboxes/{id}/messages`) and, later, the IMAP poller.
///
/// - Threading: a reply when `In-Reply-To`/`References` name a message this product sent for a ticket
///   (`ticket-<id>…@`), or the subject carries `[#number]`; otherwise a new ticket. Closed tickets open new ones.
/// - Senders: a known user writes as themselves; an unknown one becomes a customer when the mailbox allows it.
///   A staff address counts as staff only when the mailbox's trusted MTA vouches for it (`Authentication-Results`
///   with DMARC, or aligned DKIM, passing); otherwise the message is kept as public, marked "unverified sender",
///   with a customer's rights only (it threads onto the sender's own requests, never changes a ticket it cannot).
/// - Safety: automatic mail (auto-replies, bulk, bounces) and the product's own mail are ignored; a sender may
///   open at most `maxNewTicketsPerHour` tickets by email; a message that fails is kept, with its bytes, for retry.
public struct MailIngestion: Sendable {
    let database: Database
    let store: ChannelStore
    let users: any UserDirectory
    let tickets: any TicketDirectory
    let intake: any TicketIntake
    let files: any FileIntake
    /// Addresses the product sends from: mail from them is our own.
    let ownAddresses: Set<String>
    let clock: TimeSource
    let logger: Logger
    var maxNewTicketsPerHour = 20

    public func ingest(workspaceID: UUID, mailboxID: UUID, raw: [UInt8]) async throws -> IngestResult {
        guard let mailbox = try await store.mailbox(workspaceID: workspaceID, id: mailboxID, on: database.sql) else {
            throw HelpdeskError.notFound("mailbox")
        }
        return try await ingest(mailbox: mailbox, raw: raw)
    }

    public func ingest(mailbox: Mailbox, raw: [UInt8]) async throws -> IngestResult {
        let message = MIMEParser.parse(raw)
        let sha = SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
        let key = message.messageID.map { "id:" + $0 } ?? "sha256:" + sha
        let now = clock.now
        // Claimed before anything is made: two pollers, or a poll and a push, never both process one message.
        let claimed = try await database.transaction { [store] db in
            try await store.claim(workspaceID: mailbox.workspaceID, mailboxID: mailbox.id, dedupeKey: key, at: now, on: db)
        }
        if !claimed {
            guard let earlier = try await store.inbound(mailboxID: mailbox.id, dedupeKey: key, on: database.sql),
                  earlier.status != "processing" else {
                throw HelpdeskError.conflict(code: "message_in_progress", "This message is being processed right now.")
            }
            // Seen before (a poller that died between fetch and mark, a retried push): same answer, no new ticket.
            return IngestResult(action: IngestResult.Action(rawValue: earlier.action ?? "ignored") ?? .ignored,
                                ticketID: earlier.ticketID, commentID: earlier.commentID, reason: earlier.reason)
        }
        func record(_ status: String, _ result: IngestResult?, quoted: String? = nil, error: String? = nil) async throws {
            try await database.transaction { [store] db in
                try await store.record(workspaceID: mailbox.workspaceID, mailboxID: mailbox.id, dedupeKey: key,
                                       messageID: message.messageID, from: message.from?.address,
                                       subject: String(message.subject.prefix(500)), status: status, result: result,
                                       quoted: quoted, error: error,
                                       raw: status == "failed" ? Data(raw).base64EncodedString() : nil, at: now, on: db)
            }
        }
        let outcome: (IngestResult, String?)
        do {
            outcome = try await process(message, mailbox: mailbox, now: now)
        } catch {
            let reason = (error as? HelpdeskError).map { e in
                ([e.detail ?? e.title] + e.errors.map { "\($0.field) \($0.message)" }).joined(separator: "; ")
            } ?? String(describing: error)
            logger.warning("inbound mail failed; kept for retry", metadata: [
                "mailbox": "\(mailbox.address)", "message_id": "\(message.messageID ?? "-")", "error": "\(reason)",
            ])
            try await record("failed", nil, error: String(reason.prefix(2_000)))
            throw HelpdeskError(status: 422, code: "message_failed", title: "Message not processed",
                                detail: "The message was kept as a failed message: \(reason)")
        }
        // Outside the catch: the ticket or reply exists now, so a failure to note it must not file the message as
        // failed (a retry would post it twice); the claim then expires and the next pass finds it already applied.
        try await record(outcome.0.action == .ignored ? "ignored" : "processed", outcome.0, quoted: outcome.1)
        return outcome.0
    }

    private func process(_ m: MIMEMessage, mailbox: Mailbox, now: Date) async throws -> (IngestResult, String?) {
        func ignored(_ reason: String) -> (IngestResult, String?) {
            (IngestResult(action: .ignored, ticketID: nil, commentID: nil, reason: reason), nil)
        }
        guard let from = m.from else {
            throw HelpdeskError.validation(field: "from", "the message has no sender address")
        }
        if m.isAutomatic { return ignored("automatic") }
        if from.address == mailbox.address || ownAddresses.contains(from.address) { return ignored("own_mail") }

        let ws = mailbox.workspaceID
        var sender = try await users.user(workspaceID: ws, email: from.address)
        if sender == nil {
            guard mailbox.allowNewSenders else { return ignored("unknown_sender") }
            sender = try await users.registerCustomer(workspaceID: ws, email: from.address, name: Self.customerName(from))
        }
        guard let sender, sender.active else { return ignored("inactive_sender") }
        let unverified = sender.role.isStaff && !AuthenticationResults.verifies(
            m.headers.all("Authentication-Results"), trustedID: mailbox.trustedAuthservID, fromAddress: from.address)
        if unverified {
            logger.notice("mail from a staff address without verification: no staff rights", metadata: [
                "mailbox": "\(mailbox.address)", "from": "\(from.address)", "message_id": "\(m.messageID ?? "-")",
            ])
        }
        let role: Role = unverified ? .customer : sender.role
        let principal = Principal(userID: sender.id, workspaceID: ws, role: role, sessionID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        let context = EventContext(requestID: m.messageID, ip: nil, userAgent: m.headers["X-Mailer"] ?? m.headers["User-Agent"],
                                   via: "email", actorRole: role.rawValue)

        return try await EventContext.$current.withValue(context) {
            let attachmentIDs = try await storeAttachments(m, as: principal)
            let origin = MessageOrigin(channel: "email", address: from.address, messageID: m.messageID, unverifiedSender: unverified)
            let split = QuotedHistory.split(m.text)
            if let target = try await thread(m, workspaceID: ws), target.status != "closed" {
                let body = split.reply.isEmpty ? "(empty message)" : Self.fitting(split.reply)
                do {
                    let comment = try await intake.reply(as: principal, ticketID: target.id, body: body, attachmentIDs: attachmentIDs,
                                                               origin: MessageOrigin(channel: "email", address: from.address,
                                                                                     messageID: m.messageID,
                                                                                     quotedText: split.quoted,
                                                                                     unverifiedSender: unverified))
                    if !unverified { await followCopiedAgents(m, sender: from.address, mailbox: mailbox, ticketID: target.id) }
                    return (IngestResult(action: .replied, ticketID: target.id, commentID: comment, reason: nil), split.quoted)
                } catch let error as HelpdeskError where error.code == "not_found" {
                    // Someone who may not see that ticket: their mail opens a ticket of their own.
                }
            }
            let opened = try await store.ticketsOpened(workspaceID: ws, from: from.address, since: now.addingTimeInterval(-3_600),
                                                       on: database.sql)
            if opened >= maxNewTicketsPerHour { return ignored("rate_limited") }
            let cleanSubject = String(m.subject.map { $0.isWhitespace ? " " : $0 }).prefix(textLength: 250)
                .trimmingCharacters(in: .whitespaces)
            let subject = cleanSubject.isEmpty ? "(no subject)" : cleanSubject
            let text = Self.fitting(m.text.trimmingCharacters(in: .whitespacesAndNewlines))
            // A team deleted since the mailbox was set up no longer routes anything (rather than failing mail).
            var team = mailbox.teamID
            if let id = team, try await !users.teamExists(workspaceID: ws, id: id) { team = nil }
            let created = try await intake.openTicket(as: principal, subject: subject,
                                                      description: text.isEmpty ? "(empty message)" : text,
                                                      teamID: team, attachmentIDs: attachmentIDs, origin: origin)
            if !unverified { await followCopiedAgents(m, sender: from.address, mailbox: mailbox, ticketID: created.ticketID) }
            return (IngestResult(action: .created, ticketID: created.ticketID, commentID: created.commentID, reason: nil), nil)
        }
    }

    /// The name a new customer gets from a mail's sender: the display name without control characters, cut to the
    /// 200 code points a name holds; the address's local part when that leaves nothing (no name, blanks, or one
    /// letter carrying hundreds of marks), so the mail still opens its ticket.
    static func customerName(_ from: MailAddress) -> String {
        func clean(_ text: String) -> String {
            let visible = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
            return visible.trimmingCharacters(in: .whitespacesAndNewlines).prefix(textLength: 200)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let named = clean(from.name ?? "")
        if !named.isEmpty { return named }
        let local = clean(String(from.address.split(separator: "@").first ?? ""))
        return local.isEmpty ? "Customer" : local
    }

    /// Cut to what a comment holds (64 KiB of UTF-8), on a character boundary.
    static func fitting(_ text: String, bytes limit: Int = 60_000) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        var size = 0
        for ch in text {
            size += ch.utf8.count
            if size > limit { break }
            out.append(ch)
        }
        return out + "\n[…]"
    }

    /// The ticket a message answers: one of our Message-IDs in its thread headers, else `[#number]` in the subject.
    func thread(_ m: MIMEMessage, workspaceID: UUID) async throws -> TicketSnapshot? {
        for id in m.inReplyTo + m.references.reversed() {
            guard id.hasPrefix("ticket-"), id.count >= 43,
                  let uuid = UUID(uuidString: String(id.dropFirst(7).prefix(36))) else { continue }
            if let ticket = try await tickets.ticket(workspaceID: workspaceID, id: uuid) { return ticket }
        }
        if let match = m.subject.firstMatch(of: /\[#(\d{1,9})\]/), let number = Int(match.output.1) {
            return try await intake.ticket(workspaceID: workspaceID, number: number)
        }
        return nil
    }

    /// Agents copied on the mail (To or Cc) follow the ticket. Copied customers are not followers in this model
    /// (followers are agents); their address is in the message kept with the comment.
    func followCopiedAgents(_ m: MIMEMessage, sender: String, mailbox: Mailbox, ticketID: UUID) async {
        let copied = Set((m.to + m.cc).map(\.address)).subtracting([sender, mailbox.address])
        for address in copied.sorted().prefix(20) {
            do {
                guard let user = try await users.user(workspaceID: mailbox.workspaceID, email: address), user.active,
                      user.role.isStaff else { continue }
                let agent = Principal(userID: user.id, workspaceID: mailbox.workspaceID, role: user.role, sessionID: UUID())
                try await intake.follow(as: agent, ticketID: ticketID)
            } catch {
                logger.notice("copied agent could not follow the ticket", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
    }

    /// Keeps each attachment through the files service (same limits, type checks and scan as uploads). One
    /// that is refused is left out rather than losing the whole message.
    func storeAttachments(_ m: MIMEMessage, as p: Principal) async throws -> [UUID] {
        var ids: [UUID] = []
        for attachment in m.attachments.prefix(20) where !attachment.data.isEmpty {
            do {
                ids.append(try await files.store(as: p, filename: attachment.filename, bytes: attachment.data))
            } catch let error as HelpdeskError where error.status < 500 {
                logger.notice("email attachment refused", metadata: ["filename": "\(attachment.filename)", "code": "\(error.code)"])
            }
        }
        return ids
    }

    /// Records, once, a message refused before it was fetched (over `limit` bytes), from its few header fields:
    /// it shows among the mailbox's failed messages with the reason, without bytes to retry. False when it was
    /// recorded already.
    @discardableResult
    public func recordOversized(mailbox: Mailbox, headers: [UInt8], size: Int, limit: Int, uid: UInt32) async throws -> Bool {
        let message = MIMEParser.parse(headers + Array("\r\n\r\n".utf8))
        let key = message.messageID.map { "id:" + $0 }
            ?? "size:" + SHA256.hash(data: headers + Array("\(uid)/\(size)".utf8)).map { String(format: "%02x", $0) }.joined()
        let now = clock.now
        if let earlier = try await store.inbound(mailboxID: mailbox.id, dedupeKey: key, on: database.sql), earlier.status == "failed" {
            return false
        }
        let claimed = try await database.transaction { [store] db in
            try await store.claim(workspaceID: mailbox.workspaceID, mailboxID: mailbox.id, dedupeKey: key, at: now, on: db)
        }
        guard claimed else { return false }
        let reason = "The message is \(Self.megabytes(size)), over the \(Self.megabytes(limit)) a message may be; it was not fetched."
        logger.warning("inbound mail too large; recorded as failed", metadata: [
            "mailbox": "\(mailbox.address)", "message_id": "\(message.messageID ?? "-")", "bytes": "\(size)",
        ])
        try await database.transaction { [store] db in
            try await store.record(workspaceID: mailbox.workspaceID, mailboxID: mailbox.id, dedupeKey: key,
                                   messageID: message.messageID, from: message.from?.address,
                                   subject: String(message.subject.prefix(500)), status: "failed", result: nil, quoted: nil,
                                   error: reason, raw: nil, at: now, on: db)
        }
        return true
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : String(format: "%.1f KiB", Double(bytes) / 1_024)
    }

    /// The largest message taken, by any path (IMAP, push, pipe): what the push route accepts.
    public static let maxMessageBytes = 64 << 20

    /// A failed message again, from its kept bytes.
    public func retry(_ p: Principal, mailboxID: UUID, messageID: UUID) async throws -> IngestResult {
        try p.require(.admin)
        guard let mailbox = try await store.mailbox(workspaceID: p.workspaceID, id: mailboxID, on: database.sql),
              let (inbound, _) = try await store.inbound(workspaceID: p.workspaceID, mailboxID: mailboxID, id: messageID,
                                                         on: database.sql),
              inbound.status == "failed", let raw = inbound.raw, let bytes = Data(base64Encoded: raw) else {
            throw HelpdeskError.notFound("failed message")
        }
        return try await ingest(mailbox: mailbox, raw: [UInt8](bytes))
    }

    public func failed(_ p: Principal, mailboxID: UUID, page: PageRequest) async throws -> Page<FailedMessage> {
        try p.require(.admin)
        let rows = try await store.failed(workspaceID: p.workspaceID, mailboxID: mailboxID, after: try page.afterID(),
                                          limit: page.limit + 1, on: database.sql)
        return Page(rows: rows, limit: page.limit) { $0.id.lowercased }
    }
}
