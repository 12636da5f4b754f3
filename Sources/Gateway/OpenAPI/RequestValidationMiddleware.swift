import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// Checks JSON request bodies against the operation's schema in the OpenAPI document: unknown fields, wrong
/// types, values out of range and bad enums are refused with 422 `validation_failed`, naming every field at
/// once. Bodies that are not JSON objects, and routes without a documented body, go on to the route, whose own
/// decoding answers them; the document can only add refusals, never accept what a route would refuse.
struct RequestValidationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let document: OpenAPIDocument

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        // What the services' decoder takes as JSON (no Content-Type included), the gateway checks as JSON.
        let type = request.headers[.contentType]?.lowercased()
        guard request.method == .post || request.method == .put || request.method == .patch,
              type == nil || type!.hasPrefix("application/json") || type!.contains("+json"),
              let operation = document.operation(method: request.method.rawValue, path: request.uri.path),
              let schema = operation.body else {
            return try await next(request, context)
        }
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)), case .object = value {
            var errors: [FieldError] = []
            schema.validate(value, at: "", into: &errors)
            if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        }
        return try await next(request, context)
    }
}
