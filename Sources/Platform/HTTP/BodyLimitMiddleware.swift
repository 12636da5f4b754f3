import HelpdeskCore
import Hummingbird

/// Refuses bodies over the configured limit with 413 before reading them, and tells decoders the limit.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let defaultLimit: Int
    let overrides: [(prefix: String, limit: Int)]

    /// `overrides` gives larger (or smaller) limits to path prefixes, e.g. uploads.
    public init(limit: Int, overrides: [String: Int] = [:]) {
        self.defaultLimit = limit
        self.overrides = overrides.map { ($0.key, $0.value) }
    }

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let limit = overrides.first { path == $0.prefix || path.hasPrefix($0.prefix + "/") }?.limit ?? defaultLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HelpdeskError.bodyTooLarge(limit: limit)
        }
        var context = context
        context.maxUploadSize = limit
        return try await next(request, context)
    }
}
