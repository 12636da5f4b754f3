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
    /// The channel's event loop, kept to group sockets without a call through the channel per socket.
    let eventLoop: any EventLoop
    /// The frame encoder's place in the pipeline; only touched on the channel's event loop.
    private let encoder: NIOLoopBound<ChannelHandlerContext>

    /// Finds the frame encoder of an upgraded WebSocket channel.
    public init(channel: any Channel) async throws {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.encoder = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self),
                         eventLoop: channel.eventLoop)
        }.get()
    }

    /// Sockets sorted by event loop, to write to each loop's share in one job.
    typealias Groups = [(loop: any EventLoop, sockets: [RealtimeSocket])]

    static func group(_ sockets: [RealtimeSocket]) -> Groups {
        // There are as many loops as cores: a short list beats hashing every socket's loop.
        var groups: Groups = []
        for socket in sockets {
            if let index = groups.firstIndex(where: { $0.loop === socket.eventLoop }) {
                groups[index].sockets.append(socket)
            } else {
                groups.append((socket.eventLoop, [socket]))
                groups[groups.count - 1].sockets.reserveCapacity(sockets.count)
            }
        }
        return groups
    }

    /// Writes one frame to these sockets: one job per event loop, not one per socket.
    static func send(_ frame: ByteBuffer, to sockets: [RealtimeSocket]) {
        send(frame, to: group(sockets))
    }

    /// Each loop writes its own copy of the frame, so that the cores do not contend for one reference count
    /// thousands of times.
    static func send(_ frame: ByteBuffer, to groups: Groups) {
        for (index, group) in groups.enumerated() {
            let own = index == 0 ? frame : ByteBuffer(buffer: frame)
            group.loop.execute { for socket in group.sockets { socket.writeOnLoop(own) } }
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
