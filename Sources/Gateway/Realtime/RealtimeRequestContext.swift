import Hummingbird
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore

/// The request context of the WebSocket router: the basic one, plus the connection's channel (so that the
/// realtime endpoint can write frames to it directly, see `RealtimeSocket`) and a way out of a reference cycle.
///
/// hummingbird-websocket 2.8.1 stores the route's handler and a copy of this context in a box that the context
/// itself holds (`webSocket`): box → context → box. Nothing ever frees either, so every connection leaked its
/// context and whatever the upgrade captured (measured: RSS grew 2 KiB per connection ever opened, 6 KiB while the
/// context also held the channel). Both sit in a holder the endpoint empties when the connection starts
/// (`start()`). Not a weak reference to the channel: one would move every retain of the channel, several per
/// frame written, to Swift's slow side-table path (perf: 2 % of a fan-out).
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    let holder: Holder

    final class Holder: Sendable {
        let reference = NIOLockedValueBox<WebSocketHandlerReference<RealtimeRequestContext>?>(WebSocketHandlerReference())
        let channel: NIOLockedValueBox<(any Channel)?>
        init(channel: any Channel) { self.channel = NIOLockedValueBox(channel) }
    }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.holder = Holder(channel: source.channel)
    }

    /// The upgrade reads the handler before the connection starts; afterwards nothing asks, and a fresh empty
    /// reference is returned should anything still do.
    public var webSocket: WebSocketHandlerReference<Self> {
        holder.reference.withLockedValue { $0 } ?? WebSocketHandlerReference()
    }

    /// Called by the endpoint once its handler runs: hands over the channel and breaks the cycle.
    func start() -> (any Channel)? {
        holder.reference.withLockedValue { $0 = nil }
        return holder.channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
    }
}
