import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One reply: a code and its text lines (multi-line replies joined).
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// Splits the byte stream into replies: `250-…` lines continue, `250 …` ends one.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var pending: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > 8_192 { throw SMTPError.protocolViolation("reply line too long") }
            return .needMoreData
        }
        var line = buffer.readString(length: lf - view.startIndex + 1) ?? ""
        while let last = line.last, last.isNewline { line.removeLast() } // "\r\n" is one Character
        guard line.count >= 3, let code = Int(line.prefix(3)) else {
            throw SMTPError.protocolViolation("bad reply line \(line.prefix(80))")
        }
        let separator = line.dropFirst(3).first
        pending.append(String(line.dropFirst(4)))
        if separator == "-" { return .continue }
        context.fireChannelRead(Self.wrapInboundOut(SMTPReply(code: code, lines: pending)))
        pending.removeAll()
        return .continue
    }

    /// At EOF or removal (STARTTLS), every byte is consumed: complete lines become replies, a partial line is
    /// an error, and nothing is forwarded past the decoder.
    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while buffer.readableBytes > 0, try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw SMTPError.protocolViolation("incomplete reply line")
        }
        return .needMoreData
    }
}

/// Hands replies to waiting callers in order; replies nobody waits for yet (the greeting) are kept.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = SMTPReply

    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var failure: (any Error)?

    var hasUnclaimed: Bool { !unclaimed.isEmpty }

    func expect(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = unclaimed.popFirst() { promise.succeed(reply); return }
        if let failure { promise.fail(failure); return }
        waiting.append(promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let promise = waiting.popFirst() { promise.succeed(reply) } else { unclaimed.append(reply) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(SMTPError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        failure = failure ?? error
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}

/// A connected SMTP session: write lines, await replies, upgrade to TLS.
final class SMTPConnection: Sendable {
    let channel: any Channel
    let replies: NIOLoopBound<SMTPReplyHandler>
    let timeout: TimeAmount

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, timeout: TimeAmount) {
        self.channel = channel
        self.replies = replies
        self.timeout = timeout
    }

    static func connect(_ configuration: SMTPConfiguration, group: any EventLoopGroup) async throws -> SMTPConnection {
        let tlsContext: NIOSSLContext? = configuration.security == .tls ? try makeTLSContext(configuration) : nil
        let host = configuration.host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: Self.sniName(host))
                            try channel.pipeline.syncOperations.addHandler(tls)
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()),
                                                                       name: Self.decoderName)
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, replies: handler, timeout: configuration.commandTimeout)
    }

    static func makeTLSContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifyCertificate { tls.certificateVerification = .none }
        return try NIOSSLContext(configuration: tls)
    }

    /// SNI takes host names only, never IP addresses.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    /// Writes `lines` (each ending in CRLF) in one flush and awaits `count` replies.
    func exchange(_ lines: [String], replies count: Int, during step: String) async throws -> [SMTPReply] {
        let channel = self.channel
        let promises = (0..<count).map { _ in channel.eventLoop.makePromise(of: SMTPReply.self) }
        let replies = self.replies
        let timedOut = NIOLockedValueBox(false)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        try await channel.eventLoop.submit {
            for promise in promises { replies.value.expect(promise) }
        }.get()
        if !lines.isEmpty {
            var buffer = channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.utf8.count + 2 })
            for line in lines { buffer.writeString(line); buffer.writeStaticString("\r\n") }
            channel.writeAndFlush(buffer, promise: nil)
        }
        do {
            var result: [SMTPReply] = []
            for promise in promises { result.append(try await promise.futureResult.get()) }
            return result
        } catch {
            if timedOut.withLockedValue({ $0 }) { throw SMTPError.timeout(during: step) }
            throw error
        }
    }

    /// Sends raw bytes (the message body) without awaiting a reply, within the command timeout: a server that
    /// stops reading must not stall the sender.
    func write(_ buffer: ByteBuffer) async throws {
        let channel = self.channel
        let timedOut = NIOLockedValueBox(false)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await channel.writeAndFlush(buffer)
        } catch {
            if timedOut.withLockedValue({ $0 }) { throw SMTPError.timeout(during: "message") }
            throw error
        }
    }

    /// Starts TLS on the open connection (after the server's 220 to STARTTLS). Anything the server sent in
    /// clear after that 220 is refused rather than read as if it came over TLS (reply injection), and the reply
    /// decoder starts afresh behind the TLS handler.
    func startTLS(_ configuration: SMTPConfiguration) async throws {
        let context = try Self.makeTLSContext(configuration)
        let host = configuration.host
        let replies = self.replies
        try await channel.pipeline.removeHandler(name: Self.decoderName).get()
        try await channel.eventLoop.submit { [channel] in
            guard !replies.value.hasUnclaimed else {
                throw SMTPError.protocolViolation("the server sent data in clear after accepting STARTTLS")
            }
            let tls = try NIOSSLClientHandler(context: context, serverHostname: Self.sniName(host))
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()), name: Self.decoderName,
                                                           position: .before(replies.value))
        }.get()
    }

    static let decoderName = "smtp-reply-decoder"

    func close() async {
        try? await channel.close()
    }
}
