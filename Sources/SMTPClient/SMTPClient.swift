import Foundation
import NIOCore
import NIOPosix

/// Sends messages over SMTP: EHLO, STARTTLS or implicit TLS, AUTH PLAIN or LOGIN, pipelined envelope when the
/// server offers PIPELINING, dot-stuffed DATA. One connection per message keeps failure handling simple;
/// notification volume is far below where connection reuse would matter.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Delivers `data` (a complete RFC 5322 message) from `sender` to every recipient.
    /// Throws `SMTPError`; `isPermanent` says whether a retry can help.
    public func send(from sender: String, to recipients: [String], data: String) async throws {
        guard !recipients.isEmpty else { throw SMTPError.protocolViolation("no recipients") }
        for address in [sender] + recipients where address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
            throw SMTPError.protocolViolation("address with forbidden characters")
        }
        let connection = try await SMTPConnection.connect(configuration, group: group)
        do {
            try await session(connection, from: sender, to: recipients, data: data)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    private func session(_ c: SMTPConnection, from sender: String, to recipients: [String], data: String) async throws {
        try Self.require(220, try await c.exchange([], replies: 1, during: "greeting")[0], "greeting")
        var capabilities = try await ehlo(c)
        if configuration.security == .starttls {
            guard capabilities.contains("STARTTLS") else { throw SMTPError.unsupported("STARTTLS") }
            try Self.require(220, try await c.exchange(["STARTTLS"], replies: 1, during: "STARTTLS")[0], "STARTTLS")
            try await c.startTLS(configuration)
            capabilities = try await ehlo(c)
        }
        if let username = configuration.username, let password = configuration.password {
            try await authenticate(c, username: username, password: password, capabilities: capabilities)
        }
        let utf8 = capabilities.contains("SMTPUTF8") && (sender + recipients.joined()).utf8.contains { $0 >= 0x80 }
        let mailFrom = "MAIL FROM:<\(sender)>" + (capabilities.contains("8BITMIME") ? " BODY=8BITMIME" : "")
            + (utf8 ? " SMTPUTF8" : "")
        let envelope = [mailFrom] + recipients.map { "RCPT TO:<\($0)>" } + ["DATA"]
        let replies: [SMTPReply]
        if capabilities.contains("PIPELINING") {
            replies = try await c.exchange(envelope, replies: envelope.count, during: "envelope")
        } else {
            var collected: [SMTPReply] = []
            for line in envelope {
                let reply = try await c.exchange([line], replies: 1, during: "envelope")[0]
                collected.append(reply)
                if reply.code >= 400 { break }
            }
            replies = collected
        }
        try Self.require(250, replies[0], "MAIL FROM")
        for (index, reply) in replies.dropFirst().dropLast().enumerated() {
            try Self.require(250, reply, "RCPT TO <\(recipients[index])>", also: [251])
        }
        guard replies.count == envelope.count else { throw SMTPError.rejected(code: replies.last!.code, message: replies.last!.text, during: "envelope") }
        try Self.require(354, replies.last!, "DATA")
        var body = ByteBuffer()
        body.writeString(Self.dotStuffed(data))
        body.writeString("\r\n.\r\n")
        try await c.write(body)
        try Self.require(250, try await c.exchange([], replies: 1, during: "message")[0], "message")
        _ = try? await c.exchange(["QUIT"], replies: 1, during: "QUIT")
    }

    private func ehlo(_ c: SMTPConnection) async throws -> Set<String> {
        let reply = try await c.exchange(["EHLO \(configuration.heloName)"], replies: 1, during: "EHLO")[0]
        try Self.require(250, reply, "EHLO")
        var capabilities: Set<String> = []
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            capabilities.insert(keyword)
            if keyword == "AUTH" { for mechanism in words.dropFirst() { capabilities.insert("AUTH=" + mechanism) } }
        }
        return capabilities
    }

    private func authenticate(_ c: SMTPConnection, username: String, password: String,
                              capabilities: Set<String>) async throws {
        if capabilities.contains("AUTH=PLAIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try Self.require(235, try await c.exchange(["AUTH PLAIN \(token)"], replies: 1, during: "AUTH")[0], "AUTH PLAIN")
        } else if capabilities.contains("AUTH=LOGIN") {
            try Self.require(334, try await c.exchange(["AUTH LOGIN"], replies: 1, during: "AUTH")[0], "AUTH LOGIN")
            try Self.require(334, try await c.exchange([Data(username.utf8).base64EncodedString()], replies: 1,
                                                       during: "AUTH")[0], "AUTH LOGIN username")
            try Self.require(235, try await c.exchange([Data(password.utf8).base64EncodedString()], replies: 1,
                                                       during: "AUTH")[0], "AUTH LOGIN password")
        } else {
            throw SMTPError.unsupported("AUTH PLAIN or LOGIN")
        }
    }

    static func require(_ code: Int, _ reply: SMTPReply, _ step: String, also: Set<Int> = []) throws {
        guard reply.code == code || also.contains(reply.code) else {
            throw SMTPError.rejected(code: reply.code, message: reply.text, during: step)
        }
    }

    /// Normalizes line ends to CRLF and doubles a leading dot, so no line of the message ends DATA early.
    static func dotStuffed(_ data: String) -> String {
        data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
    }
}
