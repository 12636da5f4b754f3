import HelpdeskCore
import Hummingbird

/// Reads `Authorization: Bearer <token>` and verifies it locally. A bad token does not fail public routes;
/// it is kept so that routes requiring a caller can say what was wrong with it.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let tokens: AccessTokens

    public init(tokens: AccessTokens) { self.tokens = tokens }

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer" {
            do {
                // Plain Substring trimming: Foundation's `trimmingCharacters` bridges through NSString and cost
                // a tenth of a ticket read.
                var token = parts[1]
                while let c = token.first, c == " " || c == "\t" { token = token.dropFirst() }
                while let c = token.last, c == " " || c == "\t" { token = token.dropLast() }
                let principal = try await tokens.verify(String(token))
                context.principal = principal
                context.facts.userID = principal.userID
            } catch let error as HelpdeskError {
                context.authenticationError = error
            }
        } else {
            context.authenticationError = .unauthenticated("Use the Bearer scheme: Authorization: Bearer <token>.")
        }
        return try await next(request, context)
    }
}

import Foundation
