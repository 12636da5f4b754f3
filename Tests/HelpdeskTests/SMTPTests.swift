import Foundation
import Platform
@testable import SMTPClient
import Testing

enum SMTPSink {
    static func env(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var plainURL: String? { env("HELPDESK_TEST_SMTP_URL") }

    /// Messages in a sink's Maildir whose text contains `marker`.
    static func messages(in maildir: String, containing marker: String) throws -> [String] {
        let dir = maildir + "/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return try names.map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.filter { $0.contains(marker) }
    }
}

@Suite("SMTP composition")
struct MailCompositionTests {
    @Test("messages carry threading headers, encoded UTF-8 subjects, both parts, and no injected headers")
    func composition() throws {
        let mail = ComposedMail(fromName: "Équipe Support", fromAddress: "support@example.com", to: ["a@example.com"],
                                subject: "[#7] Réponse à « votre » demande\r\nBcc: evil@example.com", text: "Bonjour\n.\nfin",
                                html: "<p>Bonjour</p>", messageID: "m1@example.com", inReplyTo: "root@example.com",
                                references: ["root@example.com"], headers: [("Auto-Submitted", "auto-generated")],
                                date: Date(timeIntervalSince1970: 0))
        let text = mail.rendered(boundary: "B")
        #expect(text.contains("Message-ID: <m1@example.com>\r\nIn-Reply-To: <root@example.com>\r\nReferences: <root@example.com>"))
        #expect(text.contains("From: =?UTF-8?B?"))
        #expect(text.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(!text.contains("\r\nBcc:"), "a newline in the subject cannot start a header")
        #expect(text.contains("Content-Type: multipart/alternative; boundary=\"B\""))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "7-bit clean on the wire")
        #expect(SMTPClient.dotStuffed("a\n.b\r\n..c") == "a\r\n..b\r\n...c")
    }

    @Test("SMTP URLs and senders are parsed; bad ones are refused")
    func configuration() throws {
        let c = try SMTPConfiguration(url: "smtp://u%40x:p@mail.example.com:587?security=starttls")
        #expect(c.username == "u@x" && c.password == "p" && c.port == 587 && c.security == .starttls && c.verifyCertificate)
        #expect(try SMTPConfiguration(url: "smtps://mail.example.com").port == 465)
        for bad in ["http://x", "smtp://", "smtp://h?security=ssl", "smtp://h?verify=maybe"] {
            #expect(throws: SMTPError.self, "\(bad)") { try SMTPConfiguration(url: bad) }
        }
        #expect(MailSender(parsing: "Support Team <help@example.com>") == MailSender(name: "Support Team", address: "help@example.com"))
        #expect(MailSender(parsing: "help@example.com")?.domain == "example.com")
        #expect(MailSender(parsing: "Support <not an address>") == nil)
    }
}

/// The SMTP client against real servers (`scripts/with-smtp`): plain, and STARTTLS with AUTH.
@Suite("SMTP", .enabled(if: SMTPSink.plainURL != nil))
struct SMTPTests {
    @Test("a message reaches a pipelining server intact: several recipients, UTF-8, a line starting with a dot")
    func plain() async throws {
        let marker = UUID().uuidString
        let client = SMTPClient(configuration: try SMTPConfiguration(url: SMTPSink.plainURL!))
        let mail = ComposedMail(fromName: nil, fromAddress: "helpdesk@example.com", to: ["a@example.com", "b@example.com"],
                                subject: "Test \(marker) — été", text: "line\n.starts with a dot\n\(marker)", html: nil,
                                messageID: "\(marker)@example.com")
        try await client.send(from: "helpdesk@example.com", to: ["a@example.com", "b@example.com"], data: mail.rendered())
        let received = try SMTPSink.messages(in: SMTPSink.env("HELPDESK_TEST_SMTP_MAILDIR")!, containing: marker)
        #expect(received.count == 1)
        let message = try #require(received.first)
        // The sink records the SMTP envelope: both recipients and the sender went through RCPT TO / MAIL FROM.
        #expect(message.contains("X-RcptTo: a@example.com, b@example.com"))
        #expect(message.contains("X-MailFrom: helpdesk@example.com"))
        let body = message.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
            .replacingOccurrences(of: "\n", with: "")
        let decoded = String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self)
        #expect(decoded.contains("\n.starts with a dot\n"), "the dot survives stuffing")
    }

    @Test("STARTTLS and AUTH on a server that requires both; a wrong password is a permanent refusal")
    func secured() async throws {
        let url = try #require(SMTPSink.env("HELPDESK_TEST_SMTP_TLS_URL"))
        let marker = UUID().uuidString
        let client = SMTPClient(configuration: try SMTPConfiguration(url: url))
        try await client.send(from: "helpdesk@example.com", to: ["c@example.com"],
                              data: "Subject: \(marker)\r\n\r\nsecret body\r\n")
        #expect(try SMTPSink.messages(in: SMTPSink.env("HELPDESK_TEST_SMTP_TLS_MAILDIR")!, containing: marker).count == 1)

        var wrong = try SMTPConfiguration(url: url)
        wrong.password = "nope"
        do {
            try await SMTPClient(configuration: wrong).send(from: "a@example.com", to: ["b@example.com"], data: "x")
            Issue.record("a wrong password was accepted")
        } catch let error as SMTPError {
            guard case .rejected(let code, _, _) = error else { Issue.record("\(error)"); return }
            #expect(code == 535 && error.isPermanent)
        }
        // Without STARTTLS the server refuses to go on; asking for STARTTLS on a server without it fails clearly.
        var plainOnTLSServer = try SMTPConfiguration(url: url)
        plainOnTLSServer.security = .none
        await #expect(throws: SMTPError.self) {
            try await SMTPClient(configuration: plainOnTLSServer).send(from: "a@example.com", to: ["b@example.com"], data: "x")
        }
        var startTLSOnPlain = try SMTPConfiguration(url: SMTPSink.plainURL!)
        startTLSOnPlain.security = .starttls
        await #expect(throws: SMTPError.unsupported("STARTTLS")) {
            try await SMTPClient(configuration: startTLSOnPlain).send(from: "a@example.com", to: ["b@example.com"], data: "x")
        }
    }

    @Test("a server that is down is a temporary failure")
    func down() async throws {
        var config = try SMTPConfiguration(url: "smtp://127.0.0.1:1")
        config.connectTimeout = .seconds(2)
        do {
            try await SMTPClient(configuration: config).send(from: "a@example.com", to: ["b@example.com"], data: "x")
            Issue.record("sent to a closed port")
        } catch let error as SMTPError {
            #expect(!error.isPermanent)
        }
    }
}
