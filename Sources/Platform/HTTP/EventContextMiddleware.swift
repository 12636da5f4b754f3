import HelpdeskCore
import HTTPTypes
import Hummingbird

/// Makes the request's facts (id, client address, user agent, client kind, role) the `EventContext` of every
/// event the request causes. Runs after authentication, so the role is known.
public struct EventContextMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    /// The web UI names itself with this header; every other caller counts as `api`.
    static let clientHeader = HTTPField.Name("X-Helpdesk-Client")!

    public init() {}

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let userAgent = request.headers[.userAgent].map { String($0.prefix(512)) }
        let via = request.headers[Self.clientHeader]?.lowercased() == "web" ? "ui" : "api"
        let eventContext = EventContext(requestID: context.requestID, ip: context.clientAddress, userAgent: userAgent,
                                        via: via, actorRole: context.principal?.role.rawValue)
        return try await EventContext.$current.withValue(eventContext) {
            try await next(request, context)
        }
    }
}
