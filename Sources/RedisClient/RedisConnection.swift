import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection to Redis. Commands may be sent from many tasks at once: replies come back in order, so each
/// caller's promise is queued when its bytes are written (pipelining for free).
public final class RedisConnection: Sendable {
    let channel: any Channel
    let commandTimeout: TimeAmount

    init(channel: any Channel, commandTimeout: TimeAmount) {
        self.channel = channel
        self.commandTimeout = commandTimeout
    }

    /// Opens a connection and authenticates it as `configuration` says.
    static func connect(_ configuration: RedisConfiguration, group: any EventLoopGroup) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RESPDecoder()), RedisCommandHandler())
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        let connection = RedisConnection(channel: channel, commandTimeout: configuration.commandTimeout)
        do {
            if configuration.protocolVersion == 3 {
                var hello: [RESPArgument] = ["HELLO", "3"]
                if let password = configuration.password {
                    hello += ["AUTH", .string(configuration.username ?? "default"), .string(password)]
                }
                _ = try await connection.send(hello)
            } else if let password = configuration.password {
                if let username = configuration.username {
                    _ = try await connection.send(["AUTH", .string(username), .string(password)])
                } else {
                    _ = try await connection.send(["AUTH", .string(password)])
                }
            }
            if configuration.database != 0 {
                _ = try await connection.send(["SELECT", .string(String(configuration.database))])
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return connection
    }

    public var isActive: Bool { channel.isActive }

    /// Set when a command on this connection timed out or its write failed: it is not given out again even if
    /// the socket has not finished closing yet.
    var hasFailed: Bool { failed.withLockedValue { $0 } }
    private let failed = NIOLockedValueBox(false)

    /// Sends one command; an error reply is thrown as `RedisError.server`.
    /// - Parameter timeout: overrides the command timeout (blocking reads need longer than their BLOCK time).
    public func send(_ command: [RESPArgument], timeout: TimeAmount? = nil) async throws -> RESPValue {
        let reply = try await pipeline([command], timeout: timeout)[0]
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Sends several commands in one write and returns their replies in order; error replies are returned as
    /// `.error` values, not thrown, so one failing command does not hide the others' results.
    public func pipeline(_ commands: [[RESPArgument]], timeout: TimeAmount? = nil) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let channel = self.channel
        var bytes = channel.allocator.buffer(capacity: 64 * commands.count)
        for command in commands { RESPWriter.write(command, into: &bytes) }
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        let timedOut = NIOLockedValueBox(false)
        // On timeout the connection is closed: later replies could no longer be matched to their callers.
        // The promises are failed here too, in case the handler is already gone (completing twice is a no-op).
        let failed = self.failed
        // Set on the event loop as soon as every reply is in, whether or not the waiting task has run yet: a caller
        // whose task is slow to resume (a busy process) must not see its answered command time out.
        let answered = NIOLockedValueBox(false)
        EventLoopFuture.andAllComplete(promises.map(\.futureResult), on: channel.eventLoop).whenComplete { _ in
            answered.withLockedValue { $0 = true }
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout ?? commandTimeout) {
            if answered.withLockedValue({ $0 }) { return }
            timedOut.withLockedValue { $0 = true }
            failed.withLockedValue { $0 = true }
            // Closed first, so a caller woken by the failure never hands this connection back as usable.
            channel.close(promise: nil)
            promises.forEach { $0.fail(RedisError.timeout) }
        }
        defer { timer.cancel() }
        // A connection that closed after the pool checked it never reaches the handler: fail the callers at once.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            failed.withLockedValue { $0 = true }
            promises.forEach { $0.fail(error is ChannelError ? RedisError.connectionClosed : error) }
        }
        channel.writeAndFlush(RedisRequest(bytes: bytes, promises: promises), promise: written)
        do {
            var replies: [RESPValue] = []
            replies.reserveCapacity(promises.count)
            for promise in promises { replies.append(try await promise.futureResult.get()) }
            return replies
        } catch {
            if timedOut.withLockedValue({ $0 }) { throw RedisError.timeout }
            if let redisError = error as? RedisError, case .server = redisError {} else { failed.withLockedValue { $0 = true } }
            throw error
        }
    }

    public func close() async {
        try? await channel.close()
    }
}

struct RedisRequest {
    let bytes: ByteBuffer
    let promises: [EventLoopPromise<RESPValue>]
}

struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try RESPParser.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Matches replies to the promises of the commands that were written, in order.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    private var closed = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if closed {
            request.promises.forEach { $0.fail(RedisError.connectionClosed) }
            promise?.fail(RedisError.connectionClosed)
            return
        }
        waiting.append(contentsOf: request.promises)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if case .push = value { return } // out-of-band RESP3 messages are not replies
        guard let promise = waiting.popFirst() else {
            context.fireErrorCaught(RedisError.protocolViolation("reply without a command"))
            return
        }
        promise.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        closed = true
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}
