import Foundation
import NIOConcurrencyHelpers
import Gateway
import HelpdeskCore
@testable import NotificationService
import Platform
import Testing

extension Harness {
    /// Publishes pending events, lets consumers handle them, and runs the email worker once.
    func settleNotifications() async throws {
        try await system.settleEvents()
        try await system.notifications.worker.deliverDue()
    }

    /// Emails sent so far to `address`, as raw RFC 5322 text.
    func mails(to address: String) -> [String] {
        outbox.sent.filter { $0.to == [address] }.map(\.data)
    }
}

/// The value of a header in a raw message (first occurrence, unfolded).
func header(_ name: String, in message: String) -> String? {
    let lines = message.components(separatedBy: "\r\n")
    guard let index = lines.firstIndex(where: { $0.lowercased().hasPrefix(name.lowercased() + ":") }) else { return nil }
    var value = String(lines[index].dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
    var next = index + 1
    while next < lines.count, lines[next].hasPrefix(" ") { value += lines[next]; next += 1 }
    return value
}

/// The decoded subject and text part of a message this product composed.
func decoded(_ message: String) -> (subject: String, text: String) {
    // Adjacent encoded words join without the space between them (RFC 2047).
    let raw = (header("Subject", in: message) ?? "").replacingOccurrences(of: "?= =?", with: "?==?")
    let subject = raw.hasPrefix("=?UTF-8?B?") ? raw.components(separatedBy: "?=").filter { !$0.isEmpty }.map { word -> String in
        let b64 = word.replacingOccurrences(of: "=?UTF-8?B?", with: "")
        return Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) } ?? word
    }.joined() : raw
    let parts = message.components(separatedBy: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    let b64 = parts.count > 1 ? parts[1].components(separatedBy: "\r\n--").first?.replacingOccurrences(of: "\r\n", with: "") ?? "" : ""
    return (subject, Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) } ?? "")
}

@Suite("Notifications")
struct NotificationTests {
    @Test("the inbox signal calls its handler as directly on the thousandth fire as on the first")
    func inboxSignalStaysShallow() {
        let signal = InboxSignal()
        let depths = NIOLockedValueBox<[Int]>([])
        let workspace = UUID()
        signal.setHandler { id, users in
            #expect(id == workspace && users.count == 1)
            depths.withLockedValue { $0.append(Thread.callStackReturnAddresses.count) }
        }
        for _ in 0..<1_000 { signal.fire(workspace, [UUID()]) }
        let seen = depths.withLockedValue { $0 }
        #expect(seen.count == 1_000)
        // It grew by two frames per fire when the handler sat in a generic box read through `inout`.
        #expect(seen.first == seen.last, "stack depth \(seen.first ?? 0) at the first call, \(seen.last ?? 0) at the last")
    }

    @Test("a ticket's life notifies the right people, in their language, threaded, never about their own action")
    func lifecycle() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let customer = try await h.customer("camille@example.com", name: "Camille")
            #expect(try await h.request(.patch, "/api/v1/users/me", json: ["locale": "fr"], token: customer.accessToken).status == 200)

            let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Imprimante bloquée", "description": "Elle ne marche plus"],
                                              token: customer.accessToken)
            let ticketID = try #require(created["id"])
            try await h.settleNotifications()
            let ack = try #require(h.mails(to: "camille@example.com").first, "acknowledgement")
            #expect(decoded(ack).subject == "[#1] Nous avons bien reçu votre demande : Imprimante bloquée")
            #expect(decoded(ack).text.contains("Bonjour Camille"))
            let root = "<ticket-\(ticketID)@localhost>"
            #expect(header("Message-ID", in: ack) == root)
            #expect(header("Auto-Submitted", in: ack) == "auto-generated")
            #expect(ack.contains("Content-Type: multipart/alternative"))

            _ = try await h.request(.patch, "/api/v1/tickets/\(ticketID)", json: ["assignee_id": agent.userID], token: admin.accessToken)
            try await h.settleNotifications()
            let assigned = try #require(h.mails(to: "agent@example.com").first)
            #expect(decoded(assigned).subject == "[#1] Assigned to you: Imprimante bloquée", "agents default to English")

            let reply = try await h.request(.post, "/api/v1/tickets/\(ticketID)/comments",
                                            json: ["body": "Avez-vous essayé de la redémarrer ?", "public": true], token: agent.accessToken)
            #expect(reply.status == 201)
            _ = try await h.request(.post, "/api/v1/tickets/\(ticketID)/comments",
                                    json: ["body": "SECRET internal note", "public": false], token: agent.accessToken)
            try await h.settleNotifications()
            let customerMails = h.mails(to: "camille@example.com")
            #expect(customerMails.count == 2, "ack and the public reply; never the internal note")
            let replyMail = customerMails[1]
            #expect(decoded(replyMail).subject == "[#1] Nouvelle réponse : Imprimante bloquée")
            #expect(decoded(replyMail).text.contains("Avez-vous essayé de la redémarrer ?"))
            #expect(header("In-Reply-To", in: replyMail) == root)
            #expect(header("References", in: replyMail) == root)
            #expect(!customerMails.joined().contains("SECRET"))
            #expect(h.mails(to: "agent@example.com").count == 1, "the agent is not told of their own reply or note")

            _ = try await h.request(.post, "/api/v1/tickets/\(ticketID)/comments", json: ["body": "Toujours bloquée", "public": true],
                                    token: customer.accessToken)
            try await h.settleNotifications()
            let customerReply = try #require(h.mails(to: "agent@example.com").last)
            #expect(decoded(customerReply).subject == "[#1] Customer replied: Imprimante bloquée")

            _ = try await h.request(.patch, "/api/v1/tickets/\(ticketID)", json: ["status": "solved"], token: agent.accessToken)
            try await h.settleNotifications()
            let solved = try #require(h.mails(to: "camille@example.com").last)
            #expect(decoded(solved).subject == "[#1] Demande résolue : Imprimante bloquée")
            #expect(h.mails(to: "camille@example.com").count == 3)

            // The in-app inbox mirrors it, with the unread count for the bell.
            let inbox = try await h.request(.get, "/api/v1/notifications", token: customer.accessToken)
            #expect(inbox.items.count == 3)
            #expect(inbox.json["unread_count"] as? Int == 3)
            #expect(inbox.items.first?["type"] as? String == "ticket_solved")
            let first = try #require(inbox.items.last?["id"] as? String)
            let read = try await h.request(.post, "/api/v1/notifications/\(first)/read", token: customer.accessToken)
            #expect(read.json["read"] as? Bool == true)
            #expect(try await h.request(.post, "/api/v1/notifications/\(first)/read", token: agent.accessToken).status == 404,
                    "someone else's notification")
            #expect(try await h.request(.get, "/api/v1/notifications?unread=true", token: customer.accessToken).items.count == 2)
            let all = try await h.request(.post, "/api/v1/notifications/read-all", token: customer.accessToken)
            #expect(all.json["updated"] as? Int == 2)
            #expect(try await h.request(.get, "/api/v1/notifications", token: customer.accessToken).json["unread_count"] as? Int == 0)

            // Every notification is a delivery row; admins list them.
            let deliveries = try await h.request(.get, "/api/v1/notifications/deliveries?channel=email&status=sent", token: admin.accessToken)
            #expect(deliveries.items.count == 5)
            #expect(try await h.request(.get, "/api/v1/notifications/deliveries", token: agent.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/notifications/deliveries?status=lost", token: admin.accessToken).errorFields == ["status"])

            // Redelivering the same events (the last change's, as a consumer that died before recording them
            // would get them) notifies nobody twice.
            let before = h.outbox.sent.count
            let last = try await h.system.database.sql.raw("""
                SELECT envelope FROM outbox WHERE workspace_id = \(bind: h.workspaceID.lowercased)
                  AND type IN ('ticket.updated', 'ticket.status_changed')
                """).all()
            #expect(last.count >= 3)
            for event in last {
                let envelope = try EventJSON.decoder().decode(EventEnvelope.self, from: Data(try event.decode(column: "envelope", as: String.self).utf8))
                try await h.system.notifications.notifier.handle(envelope)
            }
            try await h.system.notifications.worker.deliverDue()
            #expect(h.outbox.sent.count == before)
        }
    }

    @Test("preferences turn channels off per user, admins set workspace defaults, bad keys are named")
    func preferences() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let customer = try await h.customer("c@example.com")
            let off = try await h.request(.put, "/api/v1/notifications/preferences",
                                          json: ["events": ["public_reply": ["email": false]]], token: customer.accessToken)
            #expect(off.status == 200)
            #expect(((off.json["events"] as? [String: Any])?["public_reply"] as? [String: Bool])?["email"] == false)
            #expect(((off.json["events"] as? [String: Any])?["public_reply"] as? [String: Bool])?["in_app"] == true)
            let defaults = try await h.request(.put, "/api/v1/notifications/preferences/workspace",
                                               json: ["events": ["ticket_created": ["email": false]]], token: admin.accessToken)
            #expect(defaults.status == 200)
            #expect(try await h.request(.put, "/api/v1/notifications/preferences/workspace", json: ["events": [:]],
                                        token: customer.accessToken).status == 403)

            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "S", "description": "D"], token: customer.accessToken)
            _ = try await h.request(.post, "/api/v1/tickets/\(t["id"]!)/comments", json: ["body": "Hi", "public": true], token: agent.accessToken)
            try await h.settleNotifications()
            #expect(h.mails(to: "c@example.com").isEmpty, "no ack (workspace default) and no reply email (own choice)")
            #expect(try await h.request(.get, "/api/v1/notifications", token: customer.accessToken).items.count == 2, "in-app still on")

            let bad = try await h.request(.put, "/api/v1/notifications/preferences",
                                          json: ["events": ["nope": ["email": true], "public_reply": ["fax": true, "email": "yes"]],
                                                 "locale": "de"], token: customer.accessToken)
            #expect(bad.status == 422 || bad.status == 400)
            #expect(Set(bad.errorFields) == ["events.nope", "events.public_reply.fax", "events.public_reply.email", "locale"])
            let fr = try await h.request(.put, "/api/v1/notifications/preferences", json: ["locale": "fr"], token: customer.accessToken)
            #expect(fr["effective_locale"] == "fr")
        }
    }

    @Test("templates: admins override, preview and reset them; broken ones are refused naming the line")
    func templates() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("c@example.com")
            let list = try await h.request(.get, "/api/v1/notification-templates", token: admin.accessToken)
            #expect(list.items.count == NotificationKind.allCases.count * 2)
            #expect(try await h.request(.get, "/api/v1/notification-templates", token: customer.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/notification-templates/nope/en", token: admin.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/notification-templates/ticket_created/de", token: admin.accessToken).status == 404)

            let broken = try await h.request(.put, "/api/v1/notification-templates/ticket_created/en", json: [
                "subject": "Got it", "text": "Hello\n{{#ticket}}\nno end", "html": "<p>{{ticket.nope}}</p>",
            ], token: admin.accessToken)
            #expect(broken.status == 422)
            #expect(Set(broken.errorFields) == ["text", "html"])
            let messages = ((broken.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
            #expect(messages.contains { $0.hasPrefix("line 2") || $0.hasPrefix("line 3") }, "\(messages)")
            #expect(messages.contains { $0.contains("ticket.nope") })

            let saved = try await h.request(.put, "/api/v1/notification-templates/ticket_created/en", json: [
                "subject": "Thanks, {{recipient.name}}!", "text": "Ticket {{ticket.number}}: {{ticket.subject}} & more",
                "html": "<p>{{ticket.subject}}</p>",
            ], token: admin.accessToken)
            #expect(saved.status == 200)
            #expect(saved.json["customized"] as? Bool == true)
            let preview = try await h.request(.post, "/api/v1/notification-templates/ticket_created/en/preview", token: admin.accessToken)
            #expect(preview["subject"] == "[#1042] Thanks, Camille Martin!")

            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "<b>Fish & chips</b>", "description": "D"],
                                    token: customer.accessToken)
            try await h.settleNotifications()
            let mail = try #require(h.mails(to: "c@example.com").first)
            #expect(decoded(mail).subject == "[#1] Thanks, Customer!")
            #expect(decoded(mail).text == "Ticket 1: <b>Fish & chips</b> & more", "text is not HTML-escaped")
            #expect(mail.contains(Data("<p>&lt;b&gt;Fish &amp; chips&lt;/b&gt;</p>".utf8).base64EncodedString().prefix(20)),
                    "HTML escapes values")

            let reset = try await h.request(.delete, "/api/v1/notification-templates/ticket_created/en", token: admin.accessToken)
            #expect(reset.json["customized"] as? Bool == false)
        }
    }

    @Test("workers delivering at once send each email once, in batches, every one marked sent")
    func concurrentDelivery() async throws {
        try await Harness.run { h in
            let customer = try await h.customer("c@example.com")
            for i in 0..<45 {
                let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Parallel \(i)", "description": "D"],
                                            token: customer.accessToken)
                #expect(t.status == 201)
            }
            try await h.system.settleEvents()
            #expect(h.mails(to: "c@example.com").isEmpty, "queued, not sent yet")
            let worker = h.system.notifications.worker
            let attempted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await worker.deliverDue() } }
                return try await group.reduce(0, +)
            }
            #expect(attempted == 45, "each delivery claimed by one worker")
            let subjects = h.mails(to: "c@example.com").map { decoded($0).subject }
            #expect(subjects.count == 45 && Set(subjects).count == 45)
            let admin = try await h.admin()
            let statuses = try await h.request(.get, "/api/v1/notifications/deliveries?channel=email&limit=100", token: admin.accessToken)
                .items.compactMap { $0["status"] as? String }
            #expect(statuses.count == 45 && statuses.allSatisfy { $0 == "sent" })
        }
    }

    @Test("a failing SMTP server means retries with backoff, then failed; coming back in time loses nothing")
    func retries() async throws {
        try await Harness.run(configure: { $0.deliverySettings.maxAttempts = 3; $0.deliverySettings.baseBackoff = 60 }) { h in
            let customer = try await h.customer("c@example.com")
            h.outbox.failing = true
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "One", "description": "D"], token: customer.accessToken)
            try await h.settleNotifications()
            let admin = try await h.admin()
            func delivery() async throws -> [String: Any] {
                try #require(try await h.request(.get, "/api/v1/notifications/deliveries?channel=email", token: admin.accessToken).items.first)
            }
            #expect(try await delivery()["status"] as? String == "retrying")
            #expect(try await delivery()["attempts"] as? Int == 1)
            try await h.system.notifications.worker.deliverDue()
            #expect(try await delivery()["attempts"] as? Int == 1, "not before its backoff")
            h.clock.advance(61)
            try await h.system.notifications.worker.deliverDue()
            #expect(try await delivery()["attempts"] as? Int == 2)
            h.clock.advance(121)
            try await h.system.notifications.worker.deliverDue()
            let failed = try await delivery()
            #expect(failed["status"] as? String == "failed" && failed["attempts"] as? Int == 3)
            #expect((failed["last_error"] as? String)?.contains("down") == true)

            // A second ticket's mail fails once, then the server comes back before the limit.
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Two", "description": "D"], token: customer.accessToken)
            try await h.settleNotifications()
            h.outbox.failing = false
            h.clock.advance(61)
            try await h.system.notifications.worker.deliverDue()
            #expect(decoded(try #require(h.mails(to: "c@example.com").first)).subject.hasSuffix("Two"))
            let statuses = try await h.request(.get, "/api/v1/notifications/deliveries?channel=email", token: admin.accessToken)
                .items.compactMap { $0["status"] as? String }
            #expect(statuses.sorted() == ["failed", "sent"])
        }
    }

    @Test("rules: internal notes reach staff only; the actor is skipped except for the acknowledgement")
    func rules() {
        let requester = UUID(), agent = UUID(), follower = UUID(), ws = UUID()
        let created = Date()
        let ticket = TicketSnapshot(id: UUID(), workspaceID: ws, number: 7, subject: "S", status: "open", priority: "normal",
                                    requesterID: requester, assigneeID: agent, teamID: nil, followerIDs: [follower], createdAt: created)
        func event(_ type: String, by actor: UUID, data: JSONValue = [:]) -> EventEnvelope {
            EventEnvelope(type: type, workspaceID: ws, actor: EventActor(id: actor, type: "user"),
                          subject: EventSubject(type: "ticket", id: ticket.id), occurredAt: Date(), data: data)
        }
        let rules = NotificationRules()
        let ack = rules.recipients(for: event("ticket.created", by: requester), facts: .init(ticket: ticket))
        #expect(ack.contains { $0.userID == requester && $0.kind == .ticketCreated })
        #expect(ack.contains { $0.userID == agent && $0.kind == .ticketAssigned && $0.staffOnly })
        let note = CommentSnapshot(id: UUID(), ticketID: ticket.id, authorID: agent, body: "n", isPublic: false,
                                   createdAt: created.addingTimeInterval(5))
        let staffOnly = rules.recipients(for: event("comment.added", by: agent),
                                        facts: .init(ticket: ticket, comment: note, authorIsStaff: true))
        #expect(staffOnly.allSatisfy { $0.staffOnly && $0.kind == .internalNote })
        #expect(!staffOnly.contains { $0.userID == requester || $0.userID == agent })
        let description = CommentSnapshot(id: UUID(), ticketID: ticket.id, authorID: requester, body: "d", isPublic: true, createdAt: created)
        #expect(rules.recipients(for: event("comment.added", by: requester, data: ["initial": true]),
                                 facts: .init(ticket: ticket, comment: description)).isEmpty,
                "the first comment is the description: the acknowledgement covers it")
        #expect(rules.recipients(for: event("ticket.status_changed", by: agent, data: ["to": "pending"]), facts: .init(ticket: ticket)).isEmpty)
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("/metrics exposes the outbox backlog and deliveries by status in Prometheus text")
    func metrics() async throws {
        try await Harness.run { h in
            let customer = try await h.customer("m@example.com")
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "S", "description": "D"], token: customer.accessToken)
            let before = try await h.request(.get, "/metrics")
            #expect(before.status == 200)
            #expect(before.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let backlog = before.text.split(separator: "\n").first { $0.hasPrefix("helpdesk_outbox_unpublished ") }
            #expect((backlog.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) >= 1)
            try await h.settleNotifications()
            let after = try await h.request(.get, "/metrics").text
            #expect(after.contains("helpdesk_notification_deliveries{status=\"sent\"}"))
            #expect(after.contains("helpdesk_notification_deliveries{status=\"failed\"}"))
            if h.system.redis != nil { #expect(after.contains("helpdesk_event_consumer_lag{group=\"audit\"}")) }
        }
    }

    @Test("the unread count stops at 1000; reading all still reads every one")
    func unreadCountLimit() async throws {
        try await Harness.run { h in
            let customer = try await h.customer("many@example.com")
            let now = Date().epochMilliseconds
            let rows: [[any Encodable & Sendable]] = (0..<1_001).map { i in
                [UUIDv7.make().lowercased, h.workspaceID.lowercased, customer.userID, UUIDv7.make().lowercased,
                 "ticket_created", "Ticket \(i)", "", now]
            }
            try await BulkInsert.run(into: "notifications",
                                     columns: ["id", "workspace_id", "user_id", "event_id", "kind", "title", "body", "created_at"],
                                     rows: rows, on: h.system.database.sql)
            let page = try await h.request(.get, "/api/v1/notifications?limit=1", token: customer.accessToken)
            #expect(page.json["unread_count"] as? Int == 1_000)
            #expect(page.items.count == 1)
            let all = try await h.request(.post, "/api/v1/notifications/read-all", token: customer.accessToken)
            #expect(all.json["updated"] as? Int == 1_001)
            #expect(try await h.request(.get, "/api/v1/notifications", token: customer.accessToken).json["unread_count"] as? Int == 0)
        }
    }
}
