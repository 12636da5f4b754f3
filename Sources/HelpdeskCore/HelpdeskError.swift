/// One field that failed validation, named as the client sent it.
public struct FieldError: Codable, Sendable, Equatable {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Every failure a client can see: an HTTP status and a stable machine `code`, rendered as RFC 9457 problem+json.
///
/// Each failure has one factory here, so a code is spelled in exactly one place.
public struct HelpdeskError: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let title: String
    public let detail: String?
    public let errors: [FieldError]
    /// Extra response headers (`Retry-After`, `Allow`).
    public let headers: [String: String]

    public init(status: Int, code: String, title: String, detail: String? = nil,
                errors: [FieldError] = [], headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }
}

extension HelpdeskError {
    public static func validation(_ errors: [FieldError], detail: String? = nil) -> Self {
        .init(status: 422, code: "validation_failed", title: "Validation failed",
              detail: detail ?? errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }
    public static func validation(field: String, _ message: String) -> Self {
        validation([FieldError(field: field, message: message)])
    }
    public static func malformedBody(_ detail: String, field: String? = nil) -> Self {
        .init(status: 400, code: "malformed_request", title: "Malformed request", detail: detail,
              errors: field.map { [FieldError(field: $0, message: detail)] } ?? [])
    }
    public static func badParameter(_ name: String, _ message: String) -> Self {
        .init(status: 400, code: "invalid_parameter", title: "Invalid parameter", detail: "\(name): \(message)",
              errors: [FieldError(field: name, message: message)])
    }
    public static func unauthenticated(_ detail: String = "A valid access token is required.") -> Self {
        .init(status: 401, code: "unauthenticated", title: "Unauthenticated", detail: detail,
              headers: ["WWW-Authenticate": "Bearer"])
    }
    public static func invalidCredentials() -> Self {
        .init(status: 401, code: "invalid_credentials", title: "Invalid credentials",
              detail: "The email or password is incorrect.")
    }
    public static func invalidRefreshToken() -> Self {
        .init(status: 401, code: "invalid_refresh_token", title: "Invalid refresh token",
              detail: "The refresh token is unknown, expired or revoked.")
    }
    public static func refreshTokenReused() -> Self {
        .init(status: 401, code: "refresh_token_reused", title: "Refresh token reused",
              detail: "This refresh token was already used; the session has been revoked.")
    }
    public static func invalidResetToken() -> Self {
        .init(status: 400, code: "invalid_reset_token", title: "Invalid reset token",
              detail: "The password reset token is unknown, expired or already used.",
              errors: [FieldError(field: "token", message: "is invalid or expired")])
    }
    public static func forbidden(_ detail: String = "Your role does not allow this action.") -> Self {
        .init(status: 403, code: "forbidden", title: "Forbidden", detail: detail)
    }
    public static func registrationDisabled() -> Self {
        .init(status: 403, code: "registration_disabled", title: "Registration disabled",
              detail: "Self-registration is turned off for this workspace.")
    }
    public static func notFound(_ what: String = "resource") -> Self {
        .init(status: 404, code: "not_found", title: "Not found", detail: "No such \(what).")
    }
    public static func routeNotFound(_ path: String) -> Self {
        .init(status: 404, code: "route_not_found", title: "Not found", detail: "No route matches \(path).")
    }
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Self {
        .init(status: 405, code: "method_not_allowed", title: "Method not allowed",
              detail: "\(method) is not allowed here.", headers: ["Allow": allowed.joined(separator: ", ")])
    }
    public static func conflict(code: String, _ detail: String, field: String? = nil) -> Self {
        .init(status: 409, code: code, title: "Conflict", detail: detail,
              errors: field.map { [FieldError(field: $0, message: detail)] } ?? [])
    }
    public static func versionConflict() -> Self {
        .init(status: 412, code: "version_conflict", title: "Version conflict",
              detail: "The resource changed since you read it; fetch it again and retry.")
    }
    public static func bodyTooLarge(limit: Int) -> Self {
        .init(status: 413, code: "body_too_large", title: "Request body too large",
              detail: "The request body exceeds \(limit) bytes.")
    }
    public static func unsupportedMediaType() -> Self {
        .init(status: 415, code: "unsupported_media_type", title: "Unsupported media type",
              detail: "Send the body as application/json.")
    }
    public static func rateLimited(retryAfterSeconds: Int, detail: String) -> Self {
        .init(status: 429, code: "rate_limited", title: "Too many requests", detail: detail,
              headers: ["Retry-After": String(max(1, retryAfterSeconds))])
    }
    public static func internalError() -> Self {
        .init(status: 500, code: "internal_error", title: "Internal server error",
              detail: "Something went wrong on our side; the request id identifies it in the logs.")
    }
    /// The gateway reached no replica of `service` (all refused, failed, or their circuit breakers are open).
    public static func upstreamUnavailable(_ service: String) -> Self {
        .init(status: 502, code: "upstream_unavailable", title: "Bad gateway",
              detail: "The \(service) service did not answer; try again shortly.")
    }
    /// The gateway's request to `service` ran out of time.
    public static func upstreamTimeout(_ service: String) -> Self {
        .init(status: 504, code: "upstream_timeout", title: "Gateway timeout",
              detail: "The \(service) service did not answer in time.")
    }
    public static func unavailable(_ detail: String) -> Self {
        .init(status: 503, code: "unavailable", title: "Service unavailable", detail: detail)
    }
}
