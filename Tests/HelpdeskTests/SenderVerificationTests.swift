import ChannelService
import Foundation
import Testing

@Suite("Authentication-Results (RFC 8601)")
struct AuthenticationResultsTests {
    @Test("methods, results and properties parse; comments, quotes and versions are read past")
    func parsing() throws {
        let parsed = try #require(AuthenticationResults.parse(
            "MX.example.com 1; dkim=pass (2048-bit key) header.d=example.com header.s=\"sel 1\"; spf=fail smtp.mailfrom=x.org;"
                + " dmarc=pass (p=reject dis=none) header.from=example.com"))
        #expect(parsed.authservID == "mx.example.com")
        #expect(parsed.results.map(\.method) == ["dkim", "spf", "dmarc"])
        #expect(parsed.results[0].properties == ["header.d": "example.com", "header.s": "sel 1"])
        #expect(parsed.results[1].result == "fail")
        #expect(AuthenticationResults.parse("mx.example.com; none")?.results.isEmpty == true)
        #expect(AuthenticationResults.parse("  ") == nil)
        #expect(AuthenticationResults.parse("mx.example.com; dkim/1=PASS header.d=a.example")?.results.first?.result == "pass")
    }

    @Test("only the topmost header of the trusted id counts, and only a DMARC or aligned DKIM pass for the From domain")
    func verification() {
        func verifies(_ headers: [String], trusted: String? = "mx.example.com", from: String = "agent@example.com") -> Bool {
            AuthenticationResults.verifies(headers, trustedID: trusted, fromAddress: from)
        }
        #expect(verifies(["mx.example.com; dmarc=pass header.from=example.com"]))
        #expect(verifies(["mx.example.com; spf=pass; dkim=pass header.d=example.com"]))
        #expect(verifies(["mx.example.com; dkim=pass header.d=example.com"], from: "agent@eu.example.com"), "relaxed alignment")
        #expect(verifies(["mx.example.com; dkim=pass header.i=@mail.example.com"]), "a subdomain's signature")
        #expect(!verifies([]), "no header")
        #expect(!verifies(["mx.example.com; dmarc=pass"], trusted: nil), "no trusted id: nothing is believed")
        #expect(!verifies(["evil.example.net; dmarc=pass header.from=example.com"]), "another server's word")
        #expect(!verifies(["mx.example.com; dmarc=fail header.from=example.com", "mx.example.com; dmarc=pass"]),
                "a forged header below the MTA's own")
        #expect(!verifies(["mx.example.com; spf=pass smtp.mailfrom=example.com"]), "SPF alone proves no From")
        #expect(!verifies(["mx.example.com; dkim=pass header.d=attacker.example"]), "an unaligned signature")
        #expect(!verifies(["mx.example.com; dkim=pass header.d=com"]), "a top-level domain aligns with nothing")
        #expect(!verifies(["mx.example.com; dmarc=pass header.from=attacker.example"]), "DMARC for another domain")
        #expect(!verifies(["mx.example.com (dmarc=pass); dkim=fail"]), "a comment is not a result")
        #expect(!verifies(["mx.example.com; dkim=pass header.d=example.com.attacker.example"]))
    }
}

@Suite("Mail from staff addresses")
struct StaffSenderTests {
    func comments(_ h: Harness, _ ticket: String, token: String) async throws -> [[String: Any]] {
        try await h.request(.get, "/api/v1/tickets/\(ticket)/comments", token: token).items
    }

    @Test("pushed mail claiming an agent's address acts as staff only when the trusted MTA verified it; the agent is told")
    func push() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let customer = try await h.customer("camille@example.org")
            let bad = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "support@example.com", "name": "Support", "trusted_authserv_id": "mx.example.com; dmarc=pass",
            ], token: admin.accessToken)
            #expect(bad.status == 422 && bad.errorFields == ["trusted_authserv_id"], "\(bad.text)")
            let box = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "support@example.com", "name": "Support", "trusted_authserv_id": "mx.example.com",
            ], token: admin.accessToken)
            #expect(box["trusted_authserv_id"] == "mx.example.com", "\(box.text)")
            let mailbox = try #require(box["id"])
            let ticket = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Printer", "description": "Stuck"],
                                             token: customer.accessToken)
            let number = try #require(ticket.json["number"] as? Int)
            let ticketID = try #require(ticket["id"])

            // Spoofed (no header), forged (another server's header) and forged below the MTA's own: all unverified.
            let forgeries = [
                "",
                "Authentication-Results: evil.example.net; dmarc=pass header.from=example.com\r\n",
                "Authentication-Results: mx.example.com; dmarc=fail header.from=example.com\r\n"
                    + "Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\r\n",
            ]
            for (i, extra) in forgeries.enumerated() {
                let raw = mail(from: "Alex Agent <agent@example.com>", subject: "Re: [#\(number)] Printer", id: "spoof-\(i)@evil.example.net",
                               body: "Please send your password to me. #status solved", extra: extra)
                let result = try await h.push(raw, mailbox: mailbox, token: admin.accessToken)
                #expect(result.status == 202, "\(result.text)")
                #expect(result["action"] == "created", "not threaded onto a ticket the address may not reach as a customer")
                let opened = try #require(result["ticket_id"])
                #expect(opened != ticketID)
                let stored = try await comments(h, opened, token: admin.accessToken)
                #expect(stored.first?["unverified_sender"] as? Bool == true)
                #expect(stored.first?["public"] as? Bool == true, "kept as a public message, not a note")
                let spoofTicket = try await h.request(.get, "/api/v1/tickets/\(opened)", token: admin.accessToken)
                #expect(spoofTicket["status"] == "new" && spoofTicket.json["assignee_id"] is NSNull)
            }
            let untouched = try await h.request(.get, "/api/v1/tickets/\(ticketID)", token: admin.accessToken)
            #expect(untouched["status"] == "new")
            #expect(try await comments(h, ticketID, token: admin.accessToken).count == 1)
            try await h.settleNotifications()
            #expect(h.mails(to: "camille@example.org").count == 1, "the customer got only the acknowledgement of their own ticket")
            let told = try await h.request(.get, "/api/v1/notifications", token: agent.accessToken).items
            #expect(told.filter { $0["type"] as? String == "unverified_sender" }.count == forgeries.count, "\(told)")

            // Genuine: the trusted MTA's topmost header passes DMARC; the reply is the agent's, on the ticket.
            let genuine = mail(from: "Alex Agent <agent@example.com>", subject: "Re: [#\(number)] Printer", id: "real@example.com",
                               body: "Try turning it off and on.",
                               extra: "Authentication-Results: mx.example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n"
                                   + "Authentication-Results: evil.example.net; dmarc=fail\r\n")
            let replied = try await h.push(genuine, mailbox: mailbox, token: admin.accessToken)
            #expect(replied["action"] == "replied" && replied["ticket_id"] == ticketID, "\(replied.text)")
            let thread = try await comments(h, ticketID, token: customer.accessToken)
            #expect(thread.count == 2 && thread.last?["unverified_sender"] as? Bool == false)
            #expect(try await h.request(.get, "/api/v1/tickets/\(ticketID)", token: admin.accessToken)["status"] == "open",
                    "a staff reply opens a new ticket")
            try await h.settleNotifications()
            #expect(h.mails(to: "camille@example.org").count == 2, "the customer got the agent's reply")

            // Without a trusted id nothing is believed, however good the header looks.
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(mailbox)", json: ["trusted_authserv_id": NSNull()], token: admin.accessToken)
            let unbelieved = try await h.push(genuine.replacingOccurrences(of: "real@example.com", with: "real-2@example.com"),
                                              mailbox: mailbox, token: admin.accessToken)
            #expect(unbelieved["action"] == "created" && unbelieved["ticket_id"] != ticketID, "\(unbelieved.text)")
        }
    }
}

/// In the IMAP suite: it shares the one Dovecot inbox, which its tests poll one at a time.
extension IMAPTests {
    @Test("polled mail claiming an agent's address is unverified without the trusted MTA's pass")
    func imap() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            _ = try await h.staff("imap-agent@example.test", by: admin)
            let id = try await mailbox(h, token: admin.accessToken)
            _ = try await h.request(.patch, "/api/v1/mailboxes/\(id)", json: ["trusted_authserv_id": "mx.example.test"], token: admin.accessToken)
            let marker = UUID().uuidString
            try IMAPServer.deliver(mail(from: "imap-agent@example.test", subject: "Spoof \(marker)", id: "\(marker)@evil.example.net",
                                        body: "Hello", extra: "Authentication-Results: evil.example.net; dmarc=pass\r\n"))
            try IMAPServer.deliver(mail(from: "imap-agent@example.test", subject: "Real \(marker)", id: "\(marker)@example.test",
                                        body: "Hello", extra: "Authentication-Results: mx.example.test; dmarc=pass header.from=example.test\r\n"))
            let box = try await h.system.channels.mailboxes.get(try await h.principal(admin), id: UUID(uuidString: id)!)
            #expect(try await h.system.channels.poller.poll(box) >= 2)
            for (word, unverified) in [("Spoof", true), ("Real", false)] {
                let found = try await h.request(.get, "/api/v1/tickets?q=\(word)+\(marker)", token: admin.accessToken).items
                let ticket = try #require(found.first?["id"] as? String, "\(word)")
                #expect(try await h.request(.get, "/api/v1/tickets/\(ticket)/comments", token: admin.accessToken).items.first?["unverified_sender"] as? Bool == unverified, "\(word)")
            }
        }
    }
}
