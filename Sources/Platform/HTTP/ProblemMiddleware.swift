import HelpdeskCore
import Hummingbird
import Logging

/// Turns every error into problem+json: typed errors keep their code; an unmatched route is 404, or 405 with
/// `Allow` when the path exists under another method; anything unexpected is logged and becomes a bare 500.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let routes: RouteTable

    public init(routes: RouteTable) { self.routes = routes }

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = map(error, request: request, context: context)
            context.facts.problemCode = problem.code
            return problem.response(requestID: context.requestID)
        }
    }

    func map(_ error: any Error, request: Request, context: AppRequestContext) -> HelpdeskError {
        switch error {
        case let error as HelpdeskError:
            return error
        case let error as DecodingError:
            return APIJSONDecoder.problem(for: error)
        case is CancellationError:
            // The server is stopping and its shutdown timeout ran out: not a defect, and the client may retry.
            return .unavailable("The server is shutting down; retry the request.")
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty { return .methodNotAllowed(request.method.rawValue, allowed: allowed) }
                return .routeNotFound(request.uri.path)
            case .contentTooLarge:
                return .bodyTooLarge(limit: context.maxUploadSize)
            case .unsupportedMediaType:
                return .unsupportedMediaType()
            default:
                let status = Int(error.status.code)
                if status >= 500 { break }
                return HelpdeskError(status: status, code: "http_\(status)", title: error.status.reasonPhrase,
                                     detail: error.body)
            }
        default:
            break
        }
        context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
        return .internalError()
    }
}
