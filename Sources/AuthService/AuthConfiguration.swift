import Foundation

/// The auth service's settings; the defaults are the documented product behaviour.
public struct AuthConfiguration: Sendable {
    /// Whether `POST /auth/register` creates customers (`HELPDESK_ALLOW_REGISTRATION`).
    public var allowRegistration = true
    public var refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
    public var resetTokenLifetime: TimeInterval = 3600
    /// Failed logins for one account within `failureWindow` before further attempts get 429.
    public var maxFailedLogins = 5
    public var failureWindow: TimeInterval = 15 * 60
    /// Base of links in emails, e.g. the password reset link.
    public var publicURL = "http://127.0.0.1:8080"

    public init() {}
}
