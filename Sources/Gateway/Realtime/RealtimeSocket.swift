import NIOCore
import NIOWebSocket

/// A realtime WebSocket's channel, written to directly on its event loop with frames encoded once per message.
///
/// Why not the WebSocket writer: a fan-out to 10,000 sockets through it cost, per socket, a queue, a task resumed
/// on Swift's pool, an actor hop, an async writer and a hop to the event loop, then the frame encoded again:
/// half of the server's CPU per event (perf, session 8). Here a message is encoded once, and each event loop gets
/// one job that writes it to all of its sockets. The frames enter the pipeline below the frame encoder, so the
/// writer's own frames (pongs, the close handshake) still pass through it and interleave whole.
public final class RealtimeSocket: Sendable {
    let channel: any Channel
    /// The frame encoder's place in the pipeline; only touched on the channel's event loop.
    private let encoder: NIOLoopBound<ChannelHandlerContext>

    /// Finds the frame encoder of an upgraded WebSocket channel.
    public init(channel: any Channel) async throws {
        self.channel = channel
        self.encoder = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self),
                         eventLoop: channel.eventLoop)
        }.get()
    }

    /// Writes one frame to these sockets: one job per event loop, not one per socket.
    static func send(_ frame: ByteBuffer, to sockets: [RealtimeSocket]) {
        guard let first = sockets.first else { return }
        if sockets.allSatisfy({ $0.channel.eventLoop === first.channel.eventLoop }) {
            first.channel.eventLoop.execute { for socket in sockets { socket.writeOnLoop(frame) } }
            return
        }
        var byLoop: [ObjectIdentifier: [RealtimeSocket]] = [:]
        for socket in sockets { byLoop[ObjectIdentifier(socket.channel.eventLoop), default: []].append(socket) }
        for group in byLoop.values {
            group[0].channel.eventLoop.execute { for socket in group { socket.writeOnLoop(frame) } }
        }
    }

    private func writeOnLoop(_ frame: ByteBuffer) {
        let context = encoder.value
        guard channel.isActive else { return }
        // Unwritable means the kernel's send buffer is full and 64 KiB more wait in NIO (its high-water mark): the
        // page has stopped reading. It is closed (it reconnects and reloads) rather than silently missing events
        // or growing the server's memory.
        guard channel.isWritable else {
            channel.close(promise: nil)
            return
        }
        context.writeAndFlush(NIOAny(frame), promise: nil)
    }

    /// A WebSocket text frame from the server (unmasked, unfragmented; RFC 6455 5.2).
    static func textFrame(_ text: String) -> ByteBuffer {
        let length = text.utf8.count
        var buffer = ByteBufferAllocator().buffer(capacity: length + 10)
        buffer.writeInteger(UInt8(0x81))  // FIN, text
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
        buffer.writeString(text)
        return buffer
    }
}
