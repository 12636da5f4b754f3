import Foundation
import Hummingbird
import Logging

/// One structured log line per request: method, route, status, duration, request id, user id.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "route": "\(context.endpointPath ?? request.uri.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\(String(format: "%.2f", millis))",
        ]
        if let user = context.facts.userID { metadata["user_id"] = "\(user.uuidString.lowercased())" }
        if let code = context.facts.problemCode { metadata["problem"] = "\(code)" }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
