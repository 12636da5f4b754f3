import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port that takes connections and never says a word: the kernel completes the handshake, nobody accepts.
final class SilentServer {
    private var fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closing the listener resets the connections waiting on it, so a client stuck on it fails at once.
    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}

/// In the IMAP suite: these share the one Dovecot inbox, which its tests poll one at a time.
extension IMAPTests {
    @Test("a message over the size cap is not fetched: recorded once as failed with its reason, and the rest flows")
    func oversized() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let id = try await mailbox(h, token: admin.accessToken)
            let marker = UUID().uuidString
            try IMAPServer.deliver(mail(from: "Big <big@example.com>", subject: "Huge \(marker)", id: "huge-\(marker)@example.com",
                                        body: String(repeating: "0123456789abcdef\r\n", count: 600)))
            try IMAPServer.deliver(mail(from: "small@example.com", subject: "Small \(marker)", id: "small-\(marker)@example.com",
                                        body: "A short one."))
            let box = try await h.system.channels.mailboxes.get(try await h.principal(admin), id: UUID(uuidString: id)!)
            #expect(try await h.system.channels.poller.poll(box, maxMessageBytes: 4_096) == 2)
            #expect(try await h.request(.get, "/api/v1/tickets?q=Small+\(marker)", token: admin.accessToken).items.count == 1)
            #expect(try await h.request(.get, "/api/v1/tickets?q=Huge+\(marker)", token: admin.accessToken).items.isEmpty)
            let failed = try await h.request(.get, "/api/v1/mailboxes/\(id)/failed-messages", token: admin.accessToken).items
            #expect(failed.count == 1, "\(failed)")
            #expect(failed.first?["subject"] as? String == "Huge \(marker)")
            #expect(failed.first?["from"] as? String == "big@example.com")
            let reason = failed.first?["error"] as? String ?? ""
            #expect(reason.hasPrefix("The message is 10.") && reason.hasSuffix("KiB, over the 4.0 KiB a message may be; it was not fetched."),
                    "\(reason)")
            #expect(failed.first?["retryable"] as? Bool == false)
            #expect(try await h.system.channels.poller.poll(box, maxMessageBytes: 4_096) == 0, "marked: never fetched again")
            let again = try await h.request(.get, "/api/v1/mailboxes/\(id)/failed-messages", token: admin.accessToken).items
            #expect(again.count == 1 && again.first?["attempts"] as? Int == 1, "recorded once: \(again)")
            let retry = try await h.request(.post, "/api/v1/mailboxes/\(id)/failed-messages/\(failed.first?["id"] as? String ?? "")/retry",
                                            token: admin.accessToken)
            #expect(retry.status == 404, "nothing kept to retry")
        }
    }

    @Test("mailboxes are polled side by side: one whose server stalls does not hold up the next")
    func stalledServer() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let silent = try SilentServer()
            defer { silent.close() }
            // Created first, so a poller going one mailbox at a time would wait on it first (20 s per read).
            let stalled = try await h.request(.post, "/api/v1/mailboxes", json: [
                "address": "stalled@example.test", "name": "Stalled", "imap": [
                    "host": "127.0.0.1", "port": silent.port, "security": "none", "username": "u", "password": "p",
                ],
            ], token: admin.accessToken)
            #expect(stalled.status == 201, "\(stalled.text)")
            _ = try await mailbox(h, token: admin.accessToken)
            let marker = UUID().uuidString
            try IMAPServer.deliver(mail(from: "quick@example.com", subject: "Quick \(marker)", id: "\(marker)@example.com", body: "Hi"))
            let poller = h.system.channels.poller
            let round = Task { await poller.pollDue() }
            var found = 0
            for _ in 0..<100 where found == 0 {
                try await Task.sleep(for: .milliseconds(100))
                found = try await h.request(.get, "/api/v1/tickets?q=Quick+\(marker)", token: admin.accessToken).items.count
            }
            #expect(found == 1, "the healthy mailbox was polled while the other server stalled")
            silent.close()
            await round.value
        }
    }
}
