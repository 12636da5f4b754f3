import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird

/// Accepts a sane `X-Request-Id` or makes one, puts it on the logger, and echoes it on the response.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    public init() {}

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[Self.header]
        let id = offered.flatMap { Self.isAcceptable($0) ? $0 : nil } ?? UUIDv7.make().lowercased
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// Up to 128 visible ASCII characters: anything else could forge log lines.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
