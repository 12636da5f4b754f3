import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to log in.
public struct IMAPConfiguration: Sendable {
    public enum Security: String, Sendable { case none, starttls, tls }
    public var host: String
    public var port: Int
    public var security: Security
    public var username: String
    public var password: String
    public var verifyCertificate = true
    public var timeout: TimeAmount = .seconds(30)
    /// The whole session's limit: a server that trickles lines cannot hold the poller.
    public var sessionLimit: TimeAmount = .seconds(300)

    public init(host: String, port: Int, security: Security, username: String, password: String) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }
}

/// One IMAP conversation: connect, log in, work, log out. Commands run one at a time; every wait for the
/// server is bounded by the timeout (the connection is closed when it passes).
public final class IMAPSession {
    let channel: any Channel
    var inbound: NIOAsyncChannelInboundStream<IMAPLine>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let configuration: IMAPConfiguration
    var capabilities: Set<String> = []
    private var counter = 0

    init(channel: any Channel, inbound: NIOAsyncChannelInboundStream<IMAPLine>.AsyncIterator,
         outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, configuration: IMAPConfiguration) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
        self.configuration = configuration
    }

    /// Connects, logs in, runs `body`, logs out and closes, whatever happens.
    public static func with<T>(_ configuration: IMAPConfiguration,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               _ body: (IMAPSession) async throws -> T) async throws -> T {
        let tls: NIOSSLContext? = configuration.security == .tls ? try tlsContext(configuration) : nil
        let host = configuration.host
        let asyncChannel: NIOAsyncChannel<IMAPLine, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.timeout)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: sniName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IMAPLineDecoder()), name: "imap-decoder")
                        return try NIOAsyncChannel<IMAPLine, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw IMAPError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        let sessionTimer = asyncChannel.channel.eventLoop.scheduleTask(in: configuration.sessionLimit) { [channel = asyncChannel.channel] in
            channel.close(promise: nil)
        }
        defer { sessionTimer.cancel() }
        return try await asyncChannel.executeThenClose { inbound, outbound in
            let session = IMAPSession(channel: asyncChannel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound,
                                      configuration: configuration)
            let greeting = try await session.nextLine(during: "greeting")
            guard greeting.text.hasPrefix("* OK") || greeting.text.hasPrefix("* PREAUTH") else {
                throw IMAPError.refused(command: "connect", text: greeting.text)
            }
            try await session.capability()
            if configuration.security == .starttls {
                guard session.capabilities.contains("STARTTLS") else { throw IMAPError.unsupported("STARTTLS") }
                _ = try await session.command("STARTTLS")
                try await session.startTLS()
                try await session.capability()
            }
            try await session.login()
            let result = try await body(session)
            _ = try? await session.command("LOGOUT")
            return result
        }
    }

    static func tlsContext(_ configuration: IMAPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifyCertificate { tls.certificateVerification = .none }
        return try NIOSSLContext(configuration: tls)
    }

    static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    // MARK: Commands

    /// Selects a folder; returns its UIDVALIDITY (UIDs are only comparable under the same value).
    @discardableResult
    public func select(_ folder: String) async throws -> UInt32? {
        let lines = try await command("SELECT \(Self.quoted(folder))")
        for line in lines {
            if let range = line.text.range(of: "[UIDVALIDITY ") {
                return UInt32(line.text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        return nil
    }

    public func unseenUIDs() async throws -> [UInt32] {
        let lines = try await command("UID SEARCH UNSEEN")
        return lines.filter { $0.text.hasPrefix("* SEARCH") }.flatMap {
            $0.text.dropFirst(8).split(separator: " ").compactMap { UInt32($0) }
        }.sorted()
    }

    /// The raw message, without marking it seen (`BODY.PEEK[]`); nil when the UID is gone.
    public func fetch(uid: UInt32) async throws -> [UInt8]? {
        let lines = try await command("UID FETCH \(uid) (UID BODY.PEEK[])")
        // Unsolicited FETCH updates (flags) may come first: take the line that carries the body literal.
        return lines.first { $0.text.contains("FETCH") && $0.text.contains("BODY[]") && !$0.literals.isEmpty }?.literals.first
    }

    /// Each message's size (`RFC822.SIZE`), asked before fetching so one too large is never downloaded.
    public func sizes(uids: [UInt32]) async throws -> [UInt32: Int] {
        guard !uids.isEmpty else { return [:] }
        let lines = try await command("UID FETCH \(uids.map(String.init).joined(separator: ",")) (UID RFC822.SIZE)")
        var sizes: [UInt32: Int] = [:]
        for line in lines where line.text.contains("FETCH") {
            guard let uid = line.text.firstMatch(of: /UID (\d+)/).flatMap({ UInt32($0.output.1) }),
                  let size = line.text.firstMatch(of: /RFC822\.SIZE (\d+)/).flatMap({ Int($0.output.1) }) else { continue }
            sizes[uid] = size
        }
        return sizes
    }

    /// The few header fields that name a message (From, Subject, Message-ID, Date), without marking it seen.
    public func fetchHeaders(uid: UInt32) async throws -> [UInt8]? {
        let lines = try await command("UID FETCH \(uid) (UID BODY.PEEK[HEADER.FIELDS (FROM SUBJECT MESSAGE-ID DATE)])")
        return lines.first { $0.text.contains("FETCH") && $0.text.contains("BODY[HEADER") && !$0.literals.isEmpty }?.literals.first
    }

    public func markSeen(uid: UInt32) async throws {
        _ = try await command("UID STORE \(uid) +FLAGS.SILENT (\\Seen)")
    }

    /// Moves a message to another folder (MOVE, or COPY + delete when the server lacks it).
    public func move(uid: UInt32, to folder: String) async throws {
        if capabilities.contains("MOVE") {
            _ = try await command("UID MOVE \(uid) \(Self.quoted(folder))")
        } else {
            _ = try await command("UID COPY \(uid) \(Self.quoted(folder))")
            _ = try await command("UID STORE \(uid) +FLAGS.SILENT (\\Deleted)")
            _ = try await command(capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(uid)" : "EXPUNGE")
        }
    }

    func capability() async throws {
        let lines = try await command("CAPABILITY")
        capabilities = Set(lines.filter { $0.text.hasPrefix("* CAPABILITY") }
            .flatMap { $0.text.dropFirst(13).uppercased().split(separator: " ").map(String.init) })
    }

    func login() async throws {
        if capabilities.contains("AUTH=PLAIN") {
            let token = Data("\0\(configuration.username)\0\(configuration.password)".utf8).base64EncodedString()
            _ = try await command("AUTHENTICATE PLAIN", continuation: token, redacted: true)
        } else if !capabilities.contains("LOGINDISABLED") {
            _ = try await command("LOGIN \(Self.quoted(configuration.username)) \(Self.quoted(configuration.password))", redacted: true)
        } else {
            throw IMAPError.unsupported("a login method over this connection (try STARTTLS or TLS)")
        }
    }

    /// Sends a tagged command and collects the untagged lines until its tagged status; NO or BAD throw.
    func command(_ text: String, continuation: String? = nil, redacted: Bool = false) async throws -> [IMAPLine] {
        counter += 1
        let tag = "h\(counter)"
        try await write(tag + " " + text + "\r\n")
        let name = redacted ? String(text.prefix { $0 != " " }) : String(text.prefix(40))
        var untagged: [IMAPLine] = []
        while true {
            let line = try await nextLine(during: name)
            if line.isContinuation {
                guard let continuation else { throw IMAPError.protocolViolation("unexpected continuation during \(name)") }
                try await write(continuation + "\r\n")
                continue
            }
            guard line.tag == tag else {
                untagged.append(line)
                if untagged.count > 200_000 { throw IMAPError.protocolViolation("too many untagged responses to \(name)") }
                continue
            }
            let status = line.text.dropFirst(tag.count + 1)
            if status.hasPrefix("OK") { return untagged }
            throw IMAPError.refused(command: name, text: String(status.prefix(300)))
        }
    }

    private func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// The next line, or a timeout: the connection is closed when the server stays silent too long.
    func nextLine(during step: String) async throws -> IMAPLine {
        let channel = self.channel
        let timedOut = NIOLockedValueBox(false)
        let timer = channel.eventLoop.scheduleTask(in: configuration.timeout) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        let line: IMAPLine?
        do { line = try await inbound.next() } catch {
            if timedOut.withLockedValue({ $0 }) { throw IMAPError.timeout(during: step) }
            throw error
        }
        guard let line else {
            if timedOut.withLockedValue({ $0 }) { throw IMAPError.timeout(during: step) }
            throw IMAPError.connectionClosed
        }
        if line.text.hasPrefix("* BYE") && step != "LOGOUT" { throw IMAPError.refused(command: step, text: line.text) }
        return line
    }

    func startTLS() async throws {
        let context = try Self.tlsContext(configuration)
        let host = configuration.host
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: Self.sniName(host)),
                                                           position: .first)
        }.get()
    }

    /// An IMAP quoted string; refuses what a quoted string cannot carry.
    static func quoted(_ text: String) -> String {
        let cleaned = text.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }
        return "\"" + cleaned.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
