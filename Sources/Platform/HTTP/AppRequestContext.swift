import Foundation
import HelpdeskCore
import Hummingbird
import NIOConcurrencyHelpers

/// Facts about a request that outer middleware (the access log, metrics, rate-limit headers) needs after inner
/// middleware learned them. A class, so every copy of the context shares it.
public final class RequestFacts: Sendable {
    struct State {
        var userID: UUID?
        var code: String?
        var rateLimit: RateLimitDecision?
        var route: String?
    }

    private let box = NIOLockedValueBox(State())

    init() {}

    public var userID: UUID? {
        get { box.withLockedValue { $0.userID } }
        set { box.withLockedValue { $0.userID = newValue } }
    }

    /// The problem code of an error response, for the log.
    public var problemCode: String? {
        get { box.withLockedValue { $0.code } }
        set { box.withLockedValue { $0.code = newValue } }
    }

    /// What the rate limiter decided, for the `RateLimit-*` headers.
    public var rateLimit: RateLimitDecision? {
        get { box.withLockedValue { $0.rateLimit } }
        set { box.withLockedValue { $0.rateLimit = newValue } }
    }

    /// The route pattern that handled the request (`/api/v1/tickets/{id}`), for metrics; set by the proxy for
    /// requests it forwards.
    public var route: String? {
        get { box.withLockedValue { $0.route } }
        set { box.withLockedValue { $0.route = newValue } }
    }
}

/// The one request context of the whole application.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, when a valid access token came with the request.
    public var principal: Principal?
    /// Why a presented token was refused, reported by routes that require authentication.
    public var authenticationError: HelpdeskError?
    public var requestID: String = ""
    /// The W3C trace this request belongs to (set by `TraceContextMiddleware`).
    public var trace: TraceContext?
    public let facts = RequestFacts()
    /// Largest body a route will decode; set from configuration by `BodyLimitMiddleware`.
    public var maxUploadSize: Int = 1 << 20

    /// The client's IP address: the peer's, or what a trusted proxy forwarded (`ClientAddressMiddleware`).
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    public var requestDecoder: APIJSONDecoder { APIJSONDecoder() }
    public var responseEncoder: APIJSONEncoder { APIJSONEncoder() }

    /// The caller, or a 401 explaining what was wrong with the token.
    public func requirePrincipal() throws -> Principal {
        if let principal { return principal }
        throw authenticationError ?? HelpdeskError.unauthenticated()
    }

    /// The caller if they hold one of `roles`; 401 without a token, 403 with the wrong role.
    public func require(_ roles: Role...) throws -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw HelpdeskError.forbidden() }
        return principal
    }
}
