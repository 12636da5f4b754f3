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
/// context also held the channel). The box is kept in a holder the endpoint empties once the upgrade has read
/// it (`releaseHandler`), and the channel is held weakly.
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    let holder: Holder
    public weak var channel: (any Channel)?

    final class Holder: Sendable {
        let reference: NIOLockedValueBox<WebSocketHandlerReference<RealtimeRequestContext>?>
        init() { reference = NIOLockedValueBox(WebSocketHandlerReference()) }
    }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.holder = Holder()
        self.channel = source.channel
    }

    /// The upgrade reads the handler before the connection starts; afterwards nothing asks, and a fresh empty
    /// reference is returned should anything still do.
    public var webSocket: WebSocketHandlerReference<Self> {
        holder.reference.withLockedValue { $0 } ?? WebSocketHandlerReference()
    }

    /// Breaks the cycle: called by the endpoint once its handler runs.
    func releaseHandler() {
        holder.reference.withLockedValue { $0 = nil }
    }
}
