import Foundation
import HelpdeskCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Platform
import ServiceLifecycle

/// `GET /api/v1/realtime`: the WebSocket of the web UI. The first frame must be `{"type":"auth","token":…}`
/// (browsers cannot set headers on a WebSocket, and a token in the URL would end up in access logs); since no
/// cookie authenticates it, a page on another origin gains nothing by opening one. The connection closes with
/// 4401 when the token expires (the client reconnects with a fresh one), so a deactivated user's realtime
/// access ends with their last token.
struct RealtimeEndpoint {
    let hub: RealtimeHub
    let tokens: AccessTokens
    let users: any UserDirectory
    let logger: Logger

    static let path = "/api/v1/realtime"
    static let authTimeout: Duration = .seconds(10)
    static let maxMessageBytes = 16 * 1024
    static let unauthorized = WebSocketErrorCode.unknown(4401)

    func add(to router: Router<RealtimeRequestContext>) {
        router.ws(RouterPath(stringLiteral: Self.path)) { inbound, outbound, context in
            guard let channel = context.requestContext.start() else { return }
            let connectionID = UUID()
            // Open pages must not hold a stopping server: tell them to reconnect (to another replica, or later).
            try await withGracefulShutdownHandler {
                try await serve(connectionID, inbound, outbound, channel: channel)
            } onGracefulShutdown: {
                Task { await close(connectionID, outbound, .goingAway, reason: "server shutting down") }
            }
        }
    }

    /// Closes from the server's side: the hub lets go first, so no event frame follows the close frame.
    func close(_ id: UUID, _ outbound: WebSocketOutboundWriter, _ code: WebSocketErrorCode, reason: String) async {
        await hub.unregister(id)
        try? await outbound.close(code, reason: reason)
    }

    func serve(_ connectionID: UUID, _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
               channel: any Channel) async throws {
        // Closing the writer ends the inbound stream, which ends the loop below.
        let authDeadline = Task {
            try await Task.sleep(for: Self.authTimeout)
            try? await outbound.close(Self.unauthorized, reason: "authentication timeout")
        }
        var registered = false
        var tasks: [Task<Void, Never>] = []
        defer {
            authDeadline.cancel()
            for task in tasks { task.cancel() }
        }
        do {
            for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                guard case .text(let text) = message, let object = RealtimeMessage.decode(text),
                      case .string(let type)? = object["type"] else {
                    await close(connectionID, outbound, .unacceptableData, reason: "expected a JSON object with a type")
                    break
                }
                if !registered {
                    guard type == "auth", case .string(let token)? = object["token"],
                          let (principal, expires) = try? await tokens.verifyWithExpiry(token),
                          let user = try? await users.user(workspaceID: principal.workspaceID, id: principal.userID),
                          user.active else {
                        try await outbound.close(Self.unauthorized, reason: "authentication failed")
                        break
                    }
                    authDeadline.cancel()
                    let socket: RealtimeSocket
                    do {
                        socket = try await RealtimeSocket(channel: channel)
                    } catch {
                        logger.error("realtime: no WebSocket frame encoder on the channel", metadata: ["error": "\(error)"])
                        try await outbound.close(.unexpectedServerError, reason: "internal error")
                        break
                    }
                    // "ready" is always the first frame, even while events are being fanned out.
                    await hub.register(connectionID, .init(principal: principal, name: user.name, socket: socket),
                                       greeting: RealtimeMessage.encode(["type": .string("ready"),
                                                                         "user_id": .string(principal.userID.lowercased)]))
                    registered = true
                    tasks.append(Task {
                        let remaining = expires.timeIntervalSinceNow
                        try? await Task.sleep(for: .milliseconds(max(0, Int(remaining * 1000))))
                        if !Task.isCancelled { await close(connectionID, outbound, Self.unauthorized, reason: "token expired") }
                    })
                    continue
                }
                switch type {
                case "presence":
                    guard case .string(let raw)? = object["ticket_id"], let ticketID = UUID(uuidString: raw),
                          case .string(let state)? = object["state"], RealtimeHub.presenceStates.contains(state) else {
                        await hub.send(RealtimeMessage.encode(["type": .string("error"), "code": .string("bad_presence")]),
                                       to: connectionID)
                        continue
                    }
                    await hub.setPresence(connectionID, ticketID: ticketID, state: state)
                case "ping":
                    await hub.send(RealtimeMessage.encode(["type": .string("pong")]), to: connectionID)
                default:
                    await hub.send(RealtimeMessage.encode(["type": .string("error"), "code": .string("unknown_type")]),
                                   to: connectionID)
                }
            }
        } catch {
            logger.debug("realtime connection ended", metadata: ["error": "\(error)"])
        }
        if registered { await hub.unregister(connectionID) }
    }
}
