import Foundation
import HelpdeskCore
import Logging
import Platform

/// Turns ticket events into notifications: applies the rules, the recipients' preferences and locale, renders
/// the templates, and writes the inbox entries and delivery rows in one transaction. Email goes out later
/// through `DeliveryWorker`, so a slow or dead SMTP server never holds up the event stream.
public struct Notifier: Sendable {
    let database: Database
    let store: NotificationStore
    let users: any UserDirectory
    let tickets: any TicketDirectory
    let templates: NotificationTemplates
    let preferences: NotificationPreferences
    let sender: MailSender
    /// The mailbox a ticket came in through answers for it, when there is one.
    let replyAddresses: (any ReplyAddresses)?
    let publicURL: String
    let clock: TimeSource
    let rules = NotificationRules()
    /// Called after deliveries were queued, to wake the worker.
    let queued: @Sendable () -> Void
    /// Called after in-app notifications were written for these users of a workspace.
    var inboxChanged: @Sendable (UUID, [UUID]) -> Void = { _, _ in }

    public func handle(_ event: EventEnvelope) async throws {
        guard event.subject.type == "ticket", NotificationRules.eventTypes.contains(event.type),
              let ticket = try await tickets.ticket(workspaceID: event.workspaceID, id: event.subject.id) else { return }
        // The author, the actor and a recipient are often one person: each user is read once per event.
        var known: [UUID: DirectoryUser?] = [:]
        func lookUp(_ id: UUID) async throws -> DirectoryUser? {
            if let user = known[id] { return user }
            let found = try await users.user(workspaceID: event.workspaceID, id: id)
            known[id] = found
            return found
        }
        var facts = NotificationRules.Facts(ticket: ticket)
        if event.type == "comment.added", case .string(let raw)? = event.data["comment_id"], let commentID = UUID(uuidString: raw) {
            facts.comment = try await tickets.comment(workspaceID: event.workspaceID, id: commentID)
            if let author = facts.comment?.authorID {
                // Unverified mail from a staff address speaks as a customer: its requester is not sent it as staff's reply.
                facts.authorIsStaff = try await lookUp(author)?.role.isStaff ?? false && facts.comment?.unverifiedSender != true
            }
        }
        if let team = ticket.teamID { facts.teamMembers = try await users.teamMemberIDs(workspaceID: event.workspaceID, teamID: team) }

        var chosen: [(DirectoryUser, NotificationKind)] = []
        var seen: Set<UUID> = []
        for candidate in rules.recipients(for: event, facts: facts) where !seen.contains(candidate.userID) {
            guard let user = try await lookUp(candidate.userID), user.active else { continue }
            if candidate.staffOnly && !user.role.isStaff { continue }
            seen.insert(user.id)
            chosen.append((user, candidate.kind))
        }
        guard !chosen.isEmpty else { return }
        let actorName = try await event.actor.id.asyncMap { try await lookUp($0)?.name } ?? nil
        let enabled = try await preferences.enabled(workspaceID: event.workspaceID, userIDs: chosen.map(\.0.id))
        let overrides = try await templates.overrides(workspaceID: event.workspaceID)
        var locales: [UUID: String] = [:]
        for (user, _) in chosen {
            let own = try await store.locale(workspaceID: event.workspaceID, userID: user.id, on: database.sql)
            locales[user.id] = NotificationLocale.resolve(own ?? user.locale)
        }
        let from = try await replyAddresses?.replyAddress(workspaceID: event.workspaceID, ticketID: ticket.id)
        let now = clock.now
        let ticketURL = "\(publicURL)/tickets/\(ticket.number)"

        var inbox: [InboxNotification] = []
        var deliveries: [Delivery] = []
        for (user, kind) in chosen {
            let locale = locales[user.id] ?? "en"
            let template = overrides["\(kind.rawValue)|\(locale)"] ?? .shipped(kind, locale)
            let values: [String: Any] = [
                "ticket": ["number": ticket.number, "subject": ticket.subject, "status": ticket.status,
                           "priority": ticket.priority, "url": ticketURL],
                "recipient": ["name": user.name, "email": user.email],
                "actor": ["name": actorName ?? "Helpdesk"],
                "comment": ["body": facts.comment?.body ?? "", "public": facts.comment?.isPublic ?? false],
                "product": ["name": "Helpdesk"],
            ]
            let rendered = try template.render(values)
            let token = "[#\(ticket.number)]"
            let subject = rendered.subject.contains(token) ? rendered.subject : "\(token) \(rendered.subject)"
            if enabled(user.id, kind, .inApp) {
                let id = UUIDv7.make()
                inbox.append(InboxNotification(id: id, userID: user.id, kind: kind, ticketID: ticket.id, title: rendered.subject,
                                               body: String(rendered.text.prefix(1_000)), createdAt: now))
                deliveries.append(Delivery(id: UUIDv7.make(), workspaceID: event.workspaceID, userID: user.id, eventID: event.id,
                                           kind: kind, channel: .inApp, recipient: user.id.lowercased, status: .sent,
                                           attempts: 1, nextAttemptAt: nil, lastError: nil, subject: subject, message: nil,
                                           createdAt: now, updatedAt: now, sentAt: now))
            }
            if enabled(user.id, kind, .email) {
                let deliveryID = UUIDv7.make()
                let root = "ticket-\(ticket.id.lowercased)@\(sender.domain)"
                let mail = ComposedMail(
                    fromName: from.map { $0.name } ?? sender.name, fromAddress: from?.address ?? sender.address,
                    to: [user.email], subject: subject,
                    text: rendered.text, html: rendered.html,
                    messageID: kind == .ticketCreated ? root : "ticket-\(ticket.id.lowercased)-\(deliveryID.lowercased)@\(sender.domain)",
                    inReplyTo: kind == .ticketCreated ? nil : root, references: kind == .ticketCreated ? [] : [root],
                    headers: [("Auto-Submitted", "auto-generated"), ("X-Helpdesk-Ticket", String(ticket.number))], date: now)
                deliveries.append(Delivery(id: deliveryID, workspaceID: event.workspaceID, userID: user.id, eventID: event.id,
                                           kind: kind, channel: .email, recipient: user.email, status: .queued, attempts: 0,
                                           nextAttemptAt: now, lastError: nil, subject: subject, message: mail.rendered(),
                                           createdAt: now, updatedAt: now, sentAt: nil))
            }
        }
        let workspaceID = event.workspaceID
        let eventID = event.id
        let rows = (inbox, deliveries)
        try await database.transaction { db in
            for n in rows.0 { try await store.insert(n, workspaceID: workspaceID, eventID: eventID, on: db) }
            try await store.insert(rows.1, on: db)
        }
        if deliveries.contains(where: { $0.channel == .email }) { queued() }
        if !rows.0.isEmpty { inboxChanged(workspaceID, Array(Set(rows.0.map(\.userID)))) }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
