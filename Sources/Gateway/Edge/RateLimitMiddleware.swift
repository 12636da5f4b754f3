import HelpdeskCore
import HTTPTypes
import Hummingbird
import Logging
import Platform

/// Draws one token per API request from the caller's bucket: the user's with a valid token, otherwise the
/// client IP's, and a stricter per-IP bucket for sign-in, registration and password reset. Over the limit it
/// answers 429 `rate_limited` with `Retry-After`. A limiter that cannot answer (Redis down) lets the request
/// through: losing the limit for a moment is better than losing the API.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: any RateLimiter
    let settings: RateLimitSettings

    /// POST routes that take guessable credentials or send mail to whoever is named. (Refresh is not one: a
    /// refresh token cannot be guessed, and one shared address refreshing for a whole office must not run dry.)
    static let authRoutes: Set<String> = [
        "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/password/forgot", "/api/v1/auth/password/reset",
        "/api/v1/setup",
    ]

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        // The router ignores empty segments (`//api/v1/auth//login/`), so the limiter must too.
        let path = "/" + request.uri.path.split(separator: "/").joined(separator: "/")
        guard path.hasPrefix("/api/") else { return try await next(request, context) }
        let (kind, key) = bucket(for: request, path: path, context: context)
        guard let policy = settings.policies[kind] else { return try await next(request, context) }
        let decision: RateLimitDecision
        do {
            decision = try await limiter.take(key: key, policy: policy)
        } catch {
            context.logger.warning("rate limiter unavailable; request let through", metadata: ["error": "\(error)"])
            return try await next(request, context)
        }
        context.facts.rateLimit = decision
        guard decision.allowed else {
            throw HelpdeskError.rateLimited(
                retryAfterSeconds: decision.retryAfterSeconds,
                detail: "Too many requests: \(policy.capacity) per \(Self.format(policy.period)) s. Retry in \(decision.retryAfterSeconds) s.")
        }
        return try await next(request, context)
    }

    func bucket(for request: Request, path: String, context: AppRequestContext) -> (RateLimitClass, String) {
        let ip = Self.bucketAddress(context.clientAddress)
        if request.method == .post, Self.authRoutes.contains(path) { return (.auth, "auth:\(ip)") }
        if let principal = context.principal {
            return (.user, "user:\(principal.workspaceID.lowercased):\(principal.userID.lowercased)")
        }
        return (.anonymous, "ip:\(ip)")
    }

    /// An IPv4 address as is; an IPv6 address by its /64, since one host holds a whole /64 and could otherwise
    /// take a fresh bucket for every request.
    static func bucketAddress(_ address: String?) -> String {
        guard let address else { return "unknown" }
        guard address.contains(":"), let bytes = IPAddressBytes.parse(address), bytes.count == 16 else { return address }
        return stride(from: 0, to: 8, by: 2).map { String(format: "%02x%02x", bytes[$0], bytes[$0 + 1]) }
            .joined(separator: ":") + "::/64"
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Writes `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` on every response the limiter counted,
/// errors included (it sits outside the problem mapping for that reason).
struct RateLimitHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let limit = HTTPField.Name("RateLimit-Limit")!
    static let remaining = HTTPField.Name("RateLimit-Remaining")!
    static let reset = HTTPField.Name("RateLimit-Reset")!

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let decision = context.facts.rateLimit {
            response.headers[Self.limit] = String(decision.limit)
            response.headers[Self.remaining] = String(decision.remaining)
            response.headers[Self.reset] = String(decision.resetSeconds)
        }
        return response
    }
}
