import Foundation
import Gateway
import HelpdeskCore
import HTTPTypes
import Platform
import SQLKit
import Testing

extension Harness {
    /// Pushes a raw message into a mailbox as an admin would through a forwarding service.
    func push(_ raw: String, mailbox: String, token: String) async throws -> HTTPResult {
        try await request(.post, "/api/v1/mailboxes/\(mailbox)/messages", bytes: Data(raw.utf8), token: token,
                          headers: ["Content-Type": "message/rfc822"])
    }
}

func mail(from: String = "Camille Martin <camille@example.com>", subject: String, id: String, body: String,
          extra: String = "") -> String {
    "From: \(from)\r\nTo: support@example.com\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n\(extra)"
        + "Content-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
}

@Suite("Email channel")
struct ChannelTests {
    @Test("admins manage mailboxes; the IMAP password is write-only and encrypted at rest; bad input is named")
    func mailboxes() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let created = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "Support@Example.com", "name": "Support",
                "imap": ["host": "imap.example.com", "username": "support", "password": "hunter2-secret"],
            ], token: admin.accessToken)
            #expect(created.status == 201)
            let id = try #require(created["id"])
            #expect(created["address"] == "support@example.com")
            let imap = created.json["imap"] as? [String: Any]
            #expect(imap?["password"] == nil && imap?["password_set"] as? Bool == true)
            #expect(imap?["port"] as? Int == 993 && imap?["security"] as? String == "tls" && imap?["folder"] as? String == "INBOX")
            let stored = try await h.system.database.sql.raw("SELECT imap FROM mailboxes WHERE id = \(bind: id)").first()?
                .decode(column: "imap", as: String.self) ?? ""
            #expect(!stored.contains("hunter2"), "encrypted at rest")
            #expect(!created.text.contains("hunter2"))

            let patched = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["poll_seconds": 30]],
                                              token: admin.accessToken)
            #expect(patched.status == 200)
            #expect((patched.json["imap"] as? [String: Any])?["password_set"] as? Bool == true, "the password is kept")

            let duplicate = try await h.request(.post, "/api/v1/mailboxes", json: ["address": "support@example.com", "name": "Again"],
                                                token: admin.accessToken)
            #expect(duplicate.status == 409 && duplicate.code == "mailbox_exists")
            // Shape first (the API document: ranges, enums), then meaning (the service: addresses, hosts, the team).
            let shape = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "nope", "name": "", "team_id": UUID().uuidString,
                "imap": ["host": "x y", "port": 70000, "security": "ssl", "poll_seconds": 1],
            ], token: admin.accessToken)
            #expect(shape.status == 422)
            #expect(Set(shape.errorFields).isSuperset(of: ["imap.port", "imap.security", "imap.poll_seconds"]))
            let bad = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "nope", "name": " ", "team_id": UUID().uuidString,
                "imap": ["host": "x y", "port": 993, "security": "tls", "poll_seconds": 60],
            ], token: admin.accessToken)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["address", "name", "team_id", "imap.host", "imap.username", "imap.password"])
            let unknown = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "a@example.com", "name": "A", "imap": ["host": "h", "port": "993", "extra": true],
            ], token: admin.accessToken)
            #expect(Set(unknown.errorFields) == ["imap.extra", "imap.port"], "unknown and mistyped fields")
            #expect(try await h.request(.get, "/api/v1/mailboxes", token: agent.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/mailboxes", token: admin.accessToken).items.count == 1)
            #expect(try await h.request(.delete, "/api/v1/mailboxes/\(id)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.get, "/api/v1/mailboxes/\(id)", token: admin.accessToken).status == 404)
        }
    }

    @Test("inbound mail opens tickets, threads replies with the quote trimmed, once per message; automatic mail opens nothing")
    func ingestion() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let box = try await h.request(.post, "/api/v1/mailboxes", json: ["address": "support@example.com", "name": "Support"],
                                          token: admin.accessToken)
            let mailbox = try #require(box["id"])

            // A new customer writes, in Windows-1252, with an attachment.
            let first = """
                From: =?utf-8?q?Camille_Martin?= <Camille@Example.com>\r
                To: support@example.com\r
                Subject: =?windows-1252?q?Imprimante_bloqu=E9e?=\r
                Message-ID: <first@mail.example.com>\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain; charset=windows-1252\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                L'imprimante du 3e =E9tage affiche =AB erreur =BB depuis ce matin.\r
                --b\r
                Content-Type: application/pdf; name="rapport.pdf"\r
                Content-Disposition: attachment; filename="rapport.pdf"\r
                Content-Transfer-Encoding: base64\r
                \r
                JVBERi0xLjQKJcOkw7zDtsOfCg==\r
                --b--\r
                """
            let created = try await h.push(first, mailbox: mailbox, token: admin.accessToken)
            #expect(created.status == 202, "\(created.text)")
            #expect(created["action"] == "created")
            let ticketID = try #require(created["ticket_id"])
            let ticket = try await h.request(.get, "/api/v1/tickets/\(ticketID)", token: admin.accessToken)
            #expect(ticket["subject"] == "Imprimante bloquée")
            #expect(ticket["channel"] == "email")
            let comments = try await h.request(.get, "/api/v1/tickets/\(ticketID)/comments", token: admin.accessToken).items
            #expect((comments.first?["body"] as? String)?.hasPrefix("L'imprimante du 3e étage affiche « erreur »") == true)
            #expect(comments.first?["channel"] as? String == "email")
            #expect((comments.first?["email"] as? [String: Any])?["message_id"] as? String == "first@mail.example.com")
            #expect((comments.first?["email"] as? [String: Any])?["from"] as? String == "camille@example.com")
            let attachments = comments.first?["attachments"] as? [[String: Any]]
            #expect(attachments?.first?["filename"] as? String == "rapport.pdf")
            let requester = try await h.request(.get, "/api/v1/users/\(ticket["requester_id"] ?? "")", token: admin.accessToken)
            #expect(requester["email"] == "camille@example.com" && requester["name"] == "Camille Martin")

            // The acknowledgement goes out from the mailbox the customer wrote to.
            try await h.settleNotifications()
            let ack = try #require(h.mails(to: "camille@example.com").first)
            #expect(header("From", in: ack) == "Support <support@example.com>")

            // The same message again (a retried push, a poller that died before marking): same answer, no new ticket.
            let again = try await h.push(first, mailbox: mailbox, token: admin.accessToken)
            #expect(again["ticket_id"] == ticketID && again["action"] == "created")
            #expect(try await h.request(.get, "/api/v1/tickets", token: admin.accessToken).items.count == 1)

            // Her answer to our notification threads by In-Reply-To; the quoted history is trimmed.
            let reply = mail(subject: "Re: Nouvelle réponse", id: "second@mail.example.com",
                             body: "Toujours en panne.\r\n\r\nLe lun. 3 févr. 2025 à 10:12, Support <support@example.com> a écrit :\r\n> Avez-vous redémarré ?",
                             extra: "In-Reply-To: <ticket-\(ticketID)-\(UUID().uuidString.lowercased())@localhost>\r\nReferences: <ticket-\(ticketID)@localhost>\r\n")
            let replied = try await h.push(reply, mailbox: mailbox, token: admin.accessToken)
            #expect(replied["action"] == "replied" && replied["ticket_id"] == ticketID)
            let thread = try await h.request(.get, "/api/v1/tickets/\(ticketID)/comments", token: admin.accessToken).items
            #expect(thread.last?["body"] as? String == "Toujours en panne.")
            #expect((thread.last?["quoted_text"] as? String)?.contains("> Avez-vous redémarré ?") == true, "kept for a collapsed view")

            // Or by the [#number] in the subject.
            let number = try #require(ticket.json["number"] as? Int)
            let bySubject = try await h.push(mail(subject: "Re: [#\(number)] Imprimante", id: "third@mail.example.com", body: "Merci"),
                                             mailbox: mailbox, token: admin.accessToken)
            #expect(bySubject["action"] == "replied" && bySubject["ticket_id"] == ticketID)

            // Auto-replies, bounces and our own mail open nothing.
            for (raw, reason) in [
                (mail(subject: "Absent", id: "ooo@mail.example.com", body: "Je suis absente", extra: "Auto-Submitted: auto-replied\r\n"), "automatic"),
                (mail(from: "MAILER-DAEMON@mail.example.com", subject: "Undelivered", id: "bounce@mail.example.com", body: "failed"), "automatic"),
                (mail(from: "Helpdesk <helpdesk@localhost>", subject: "[#1] loop", id: "own@mail.example.com", body: "x"), "own_mail"),
            ] {
                let ignored = try await h.push(raw, mailbox: mailbox, token: admin.accessToken)
                #expect(ignored["action"] == "ignored" && ignored["reason"] == reason, "\(ignored.text)")
            }
            #expect(try await h.request(.get, "/api/v1/tickets", token: admin.accessToken).items.count == 1)

            // A message that cannot be processed is kept, listed, and can be retried.
            let broken = try await h.push("Subject: no sender\r\nMessage-ID: <broken@mail.example.com>\r\n\r\nhello\r\n",
                                          mailbox: mailbox, token: admin.accessToken)
            #expect(broken.status == 422 && broken.code == "message_failed")
            let failed = try await h.request(.get, "/api/v1/mailboxes/\(mailbox)/failed-messages", token: admin.accessToken)
            let failedID = try #require(failed.items.first?["id"] as? String)
            #expect(failed.items.first?["subject"] as? String == "no sender")
            let retried = try await h.request(.post, "/api/v1/mailboxes/\(mailbox)/failed-messages/\(failedID)/retry",
                                              token: admin.accessToken)
            #expect(retried.status == 422)
            #expect((try await h.request(.get, "/api/v1/mailboxes/\(mailbox)/failed-messages", token: admin.accessToken)
                .items.first?["attempts"] as? Int) == 2)

            // Tickets and comments from the web UI and the API say so.
            let web = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Web", "description": "d"],
                                          token: admin.accessToken, headers: ["X-Helpdesk-Client": "web"])
            #expect(web["channel"] == "web")
            let api = try await h.request(.post, "/api/v1/tickets/\(web["id"] ?? "")/comments", json: ["body": "b", "public": true],
                                          token: admin.accessToken)
            #expect(api["channel"] == "api" && api.json["email"] == nil)

            // Wrong content type, another workspace's mailbox id.
            #expect(try await h.request(.post, "/api/v1/mailboxes/\(mailbox)/messages", json: ["x": 1], token: admin.accessToken).status == 415)
            #expect(try await h.push(first, mailbox: UUID().uuidString, token: admin.accessToken).status == 404)
        }
    }

    @Test("agents copied on a mail follow the ticket; copied strangers do not become users")
    func copiedAgents() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let box = try await h.request(.post, "/api/v1/mailboxes", json: ["address": "support@example.com", "name": "Support"],
                                          token: admin.accessToken)
            let raw = mail(subject: "Copied", id: "cc@mail.example.com", body: "Hello",
                           extra: "Cc: Alex Agent <Agent@Example.com>, someone@example.org\r\n")
            let result = try await h.push(raw, mailbox: box["id"] ?? "", token: admin.accessToken)
            let ticket = try await h.request(.get, "/api/v1/tickets/\(result["ticket_id"] ?? "")", token: admin.accessToken)
            #expect(ticket.json["follower_ids"] as? [String] == [agent.userID])
            let users = try await h.request(.get, "/api/v1/users?q=someone", token: admin.accessToken)
            #expect(users.items.isEmpty)
        }
    }

    @Test("closed mailboxes refuse strangers; a sender opening too many tickets is rate-limited")
    func senders() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let closed = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "vip@example.com", "name": "VIP", "allow_new_senders": false,
            ], token: admin.accessToken)
            let stranger = try await h.push(mail(subject: "Hello", id: "s1@mail.example.com", body: "hi"),
                                            mailbox: closed["id"] ?? "", token: admin.accessToken)
            #expect(stranger["action"] == "ignored" && stranger["reason"] == "unknown_sender")

            let open = try await h.request(.post, "/api/v1/mailboxes", json: ["address": "help@example.com", "name": "Help"],
                                           token: admin.accessToken)
            var actions: [String] = []
            for i in 0..<21 {
                let r = try await h.push(mail(from: "flood@example.net", subject: "Spam \(i)", id: "flood\(i)@mail.example.net", body: "x"),
                                         mailbox: open["id"] ?? "", token: admin.accessToken)
                actions.append(r["action"] ?? "?")
            }
            #expect(actions.filter { $0 == "created" }.count == 20)
            #expect(actions.last == "ignored")

            // A NUL hidden in an encoded subject and a tab are cleaned, not fatal; a deleted team no longer routes.
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Gone"], token: admin.accessToken)
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(open["id"] ?? "")", json: ["team_id": team["id"] ?? ""],
                                    token: admin.accessToken)
            _ = try await h.request(.delete, "/api/v1/teams/\(team["id"] ?? "")", token: admin.accessToken)
            let odd = try await h.push(mail(from: "odd@example.net", subject: "=?utf-8?B?AEhp?=\tthere", id: "odd@mail.example.net",
                                            body: String(repeating: "Ж", count: 40_000)),
                                       mailbox: open["id"] ?? "", token: admin.accessToken)
            #expect(odd.status == 202 && odd["action"] == "created", "\(odd.text)")
            let oddTicket = try await h.request(.get, "/api/v1/tickets/\(odd["ticket_id"] ?? "")", token: admin.accessToken)
            #expect(oddTicket["subject"] == "Hi there")
            #expect(oddTicket.json["team_id"] is NSNull)

            // A long subject and sender name in decomposed accents (as some mail clients write them) are cut to the
            // limits in code points, whole letters kept, rather than refused.
            let accents = String(repeating: "e\u{301}", count: 130)
            let long = try await h.push(mail(from: "\(accents) <accents@example.net>", subject: accents, id: "accents@mail.example.net",
                                             body: "Bonjour"), mailbox: open["id"] ?? "", token: admin.accessToken)
            #expect(long.status == 202 && long["action"] == "created", "\(long.text)")
            let longTicket = try await h.request(.get, "/api/v1/tickets/\(long["ticket_id"] ?? "")", token: admin.accessToken)
            #expect(longTicket["subject"] == String(repeating: "e\u{301}", count: 125))
            let requester = try await h.request(.get, "/api/v1/users/\(longTicket["requester_id"] ?? "")", token: admin.accessToken)
            #expect(requester["name"] == String(repeating: "e\u{301}", count: 100))
            // One letter carrying 300 marks cannot be cut to a name at all: the address names the customer instead.
            let zalgo = try await h.push(mail(from: "a\(String(repeating: "\u{301}", count: 300)) <zalgo@example.net>", subject: "Hi",
                                              id: "zalgo@mail.example.net", body: "Bonjour"), mailbox: open["id"] ?? "", token: admin.accessToken)
            #expect(zalgo.status == 202 && zalgo["action"] == "created", "\(zalgo.text)")
            let zalgoTicket = try await h.request(.get, "/api/v1/tickets/\(zalgo["ticket_id"] ?? "")", token: admin.accessToken)
            let zalgoUser = try await h.request(.get, "/api/v1/users/\(zalgoTicket["requester_id"] ?? "")", token: admin.accessToken)
            #expect(zalgoUser["name"] == "zalgo")
        }
    }
}

enum IMAPServer {
    static var port: Int? { ProcessInfo.processInfo.environment["HELPDESK_TEST_IMAP_PORT"].flatMap(Int.init) }
    static var env: [String: String] { ProcessInfo.processInfo.environment }

    /// Delivers a message the way an MTA does: into Maildir/tmp, then renamed into new/.
    static func deliver(_ raw: String) throws {
        let dir = env["HELPDESK_TEST_IMAP_MAILDIR"]!
        let name = "\(Int(Date().timeIntervalSince1970)).\(UUID().uuidString).test"
        try raw.write(toFile: "\(dir)/tmp/\(name)", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: "\(dir)/tmp/\(name)")
        try FileManager.default.moveItem(atPath: "\(dir)/tmp/\(name)", toPath: "\(dir)/new/\(name)")
    }
}

/// The IMAP client and the poller against a real Dovecot (`scripts/with-imap`).
@Suite("IMAP", .enabled(if: IMAPServer.port != nil), .serialized)
struct IMAPTests {
    func mailbox(_ h: Harness, token: String, password: String? = nil, folder: String = "INBOX") async throws -> String {
        let created = try await h.request(.post, "/api/v1/mailboxes", json: [
            "address": "support@example.test", "name": "Support", "imap": [
                "host": "127.0.0.1", "port": IMAPServer.port!, "security": "none",
                "username": IMAPServer.env["HELPDESK_TEST_IMAP_USER"]!,
                "password": password ?? IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!, "folder": folder, "poll_seconds": 10,
            ],
        ], token: token)
        #expect(created.status == 201, "\(created.text)")
        return created["id"] ?? ""
    }

    @Test("the connection test names the failing step: ok, auth, folder, connect")
    func connectionTest() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let id = try await mailbox(h, token: admin.accessToken)
            let ok = try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)
            #expect(ok.json["ok"] as? Bool == true, "\(ok.text)")
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["password": "wrong"]], token: admin.accessToken)
            #expect(try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)["stage"] == "auth")
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: [
                "imap": ["password": IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!, "folder": "Nope"],
            ], token: admin.accessToken)
            #expect(try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)["stage"] == "folder")
            let moved = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["port": 1, "folder": "INBOX"]],
                                            token: admin.accessToken)
            #expect(moved.errorFields == ["imap.password"], "the stored password never follows the settings to another server")
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["port": 1, "folder": "INBOX", "password": IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!]],
                                    token: admin.accessToken)
            #expect(try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)["stage"] == "connect")

            // TLS: implicit on the IMAPS port and STARTTLS on the plain one (self-signed: verification off);
            // with verification on, the self-signed certificate is refused at the TLS step.
            let imaps = try #require(IMAPServer.env["HELPDESK_TEST_IMAPS_PORT"].flatMap(Int.init))
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: [
                "imap": ["port": imaps, "security": "tls", "verify_certificate": false, "password": IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!],
            ], token: admin.accessToken)
            let tls = try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)
            #expect(tls.json["ok"] as? Bool == true, "\(tls.text)")
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: [
                "imap": ["port": IMAPServer.port!, "security": "starttls", "password": IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!],
            ], token: admin.accessToken)
            let starttls = try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)
            #expect(starttls.json["ok"] as? Bool == true, "\(starttls.text)")
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: [
                "imap": ["port": imaps, "security": "tls", "verify_certificate": true, "password": IMAPServer.env["HELPDESK_TEST_IMAP_PASS"]!],
            ], token: admin.accessToken)
            let refused = try await h.request(.post, "/api/v1/mailboxes/\(id)/test", token: admin.accessToken)
            #expect(refused.json["ok"] as? Bool == false && refused["stage"] == "tls", "\(refused.text)")
        }
    }

    @Test("polling turns unseen mail into tickets once and marks it seen")
    func polling() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let id = try await mailbox(h, token: admin.accessToken)
            let marker = UUID().uuidString
            try IMAPServer.deliver(mail(from: "Polly <polly@example.com>", subject: "Polled \(marker)", id: "\(marker)@example.com",
                                        body: "Bonjour, ça ne marche pas."))
            let box = try await h.system.channels.mailboxes.get(try await h.principal(admin), id: UUID(uuidString: id)!)
            #expect(try await h.system.channels.poller.poll(box) >= 1)
            let tickets = try await h.request(.get, "/api/v1/tickets?q=\(marker)", token: admin.accessToken)
            #expect(tickets.items.count == 1)
            #expect(try await h.system.channels.poller.poll(box) == 0, "marked seen")

            // With a processed folder, handled mail leaves the inbox for it.
            let moved = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["processed_folder": "Processed"]],
                                            token: admin.accessToken)
            #expect((moved.json["imap"] as? [String: Any])?["processed_folder"] as? String == "Processed")
            let other = UUID().uuidString
            try IMAPServer.deliver(mail(from: "polly@example.com", subject: "Moved \(other)", id: "\(other)@example.com", body: "x"))
            let updated = try await h.system.channels.mailboxes.get(try await h.principal(admin), id: UUID(uuidString: id)!)
            #expect(try await h.system.channels.poller.poll(updated) == 1)
            let processed = ["cur", "new"].flatMap { sub -> [String] in
                let dir = IMAPServer.env["HELPDESK_TEST_IMAP_MAILDIR"]! + "/.Processed/" + sub
                return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { dir + "/" + $0 }
            }
            #expect(try processed.contains { try String(contentsOfFile: $0, encoding: .utf8).contains(other) },
                    "moved to Processed: \(processed)")
            let same = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["imap": ["processed_folder": "INBOX"]],
                                           token: admin.accessToken)
            #expect(same.errorFields == ["imap.processed_folder"])
        }
    }
}

extension Harness {
    /// The principal a logged-in admin acts as, for calling domain types directly.
    func principal(_ session: Session) async throws -> Principal {
        Principal(userID: try #require(UUID(uuidString: session.userID)), workspaceID: workspaceID, role: .admin, sessionID: UUID())
    }
}
