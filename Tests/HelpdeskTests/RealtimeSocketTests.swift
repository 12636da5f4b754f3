import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@Suite("Realtime sockets: frames written straight to the channel, contexts that do not leak")
struct RealtimeSocketTests {
    /// A connected test channel with a WebSocket encoder, as the upgrade leaves a server's pipeline.
    func upgradedChannel() async throws -> NIOAsyncTestingChannel {
        let channel = try await NIOAsyncTestingChannel(handlers: [WebSocketFrameEncoder()])
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    /// Decodes what the server wrote with NIO's own frame decoder: the client's view.
    func decode(_ bytes: ByteBuffer) async throws -> [WebSocketFrame] {
        let client = try await NIOAsyncTestingChannel(handlers: [ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20))])
        try await client.writeInbound(bytes)
        var frames: [WebSocketFrame] = []
        while let frame = try await client.readInbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    @Test("a message reaches every socket as one unmasked text frame, whatever its length's encoding")
    func frames() async throws {
        let channels = [try await upgradedChannel(), try await upgradedChannel()]
        var sockets: [RealtimeSocket] = []
        for channel in channels { sockets.append(try await RealtimeSocket(channel: channel)) }
        // 7-bit, 16-bit and 64-bit lengths (RFC 6455 5.2), with multi-byte characters counted as bytes.
        let texts = ["{\"type\":\"ready\"}", String(repeating: "é", count: 200), String(repeating: "x", count: 70_000)]
        for text in texts { RealtimeSocket.send(RealtimeSocket.textFrame(text), to: sockets) }
        for channel in channels {
            var written = ByteBuffer()
            for _ in texts { var part = try await channel.waitForOutboundWrite(as: ByteBuffer.self); written.writeBuffer(&part) }
            let frames = try await decode(written)
            #expect(frames.map { String(buffer: $0.data) } == texts)
            #expect(frames.allSatisfy { $0.fin && $0.opcode == .text && $0.maskKey == nil })
        }
    }

    @Test("a socket whose client stopped reading is closed instead of queueing without end")
    func unreadSocketCloses() async throws {
        let reading = try await upgradedChannel(), stalled = try await upgradedChannel()
        let sockets = [try await RealtimeSocket(channel: reading), try await RealtimeSocket(channel: stalled)]
        stalled.isWritable = false
        RealtimeSocket.send(RealtimeSocket.textFrame("{\"type\":\"event\"}"), to: sockets)
        let frame = try await decode(try await reading.waitForOutboundWrite(as: ByteBuffer.self))
        #expect(frame.map { String(buffer: $0.data) } == ["{\"type\":\"event\"}"])
        // Each test channel has its own loop: wait (bounded) for the stalled one's job to have run.
        for _ in 0..<200 where stalled.isActive { try await Task.sleep(for: .milliseconds(10)) }
        let closed = !stalled.isActive  // not in #expect: describing a channel crashes in NIO's pipeline description
        #expect(closed)
        #expect(try await stalled.readOutbound(as: ByteBuffer.self)?.readableBytes == nil, "nothing written to it")
    }

    @Test("a WebSocket request context is freed once its connection has started")
    func contextIsFreed() async throws {
        weak var holder: RealtimeRequestContext.Holder?
        try await {
            let router = Router(context: RealtimeRequestContext.self)
            router.ws("/realtime") { _, _, _ in }
            let context = RealtimeRequestContext(source: .init(channel: try await upgradedChannel(),
                                                               logger: Logger(label: "test")))
            holder = context.holder
            let response = try await router.buildResponder().respond(
                to: Request(head: .init(method: .get, scheme: "http", authority: "localhost", path: "/realtime"),
                            body: .init(buffer: ByteBuffer())),
                context: context)
            #expect(response.status == .ok)
            // The route stored its handler with a copy of the context inside the context's own box: the cycle
            // hummingbird-websocket 2.8.1 leaves. The endpoint breaks it when the connection starts.
            #expect(holder != nil)
            // Booleans first: describing a channel in a failed expectation crashes in NIO's pipeline description.
            let handedOver = context.start() != nil, keptAfter = context.start() != nil
            #expect(handedOver, "the endpoint gets the channel")
            #expect(!keptAfter, "and the context keeps no reference to it")
        }()
        #expect(holder == nil, "the context and its handler box keep each other alive")
    }
}
