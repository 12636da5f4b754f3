import Foundation
import NIOCore

/// Where and how to send mail: parsed from `smtp://[user:password@]host[:port][?security=none|starttls|tls&verify=false]`
/// (`smtps://` means implicit TLS, port 465 by default).
public struct SMTPConfiguration: Sendable {
    public enum Security: String, Sendable { case none, starttls, tls }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// Verify the server's certificate (turn off only for test servers with self-signed certificates).
    public var verifyCertificate: Bool
    /// The name this client gives in EHLO.
    public var heloName = "localhost"
    public var connectTimeout: TimeAmount = .seconds(10)
    public var commandTimeout: TimeAmount = .seconds(30)

    public init(url: String) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme, ["smtp", "smtps"].contains(scheme) else {
            throw SMTPError.invalidURL("expected smtp://host:port or smtps://host:port")
        }
        guard let host = c.host, !host.isEmpty else { throw SMTPError.invalidURL("missing host") }
        self.host = host
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        if scheme == "smtps" {
            security = .tls
        } else if let value = query["security"] {
            guard let parsed = Security(rawValue: value) else { throw SMTPError.invalidURL("security must be none, starttls or tls") }
            security = parsed
        } else {
            security = .none
        }
        port = c.port ?? (security == .tls ? 465 : 25)
        username = c.user?.removingPercentEncoding
        password = c.password?.removingPercentEncoding
        switch query["verify"] {
        case nil, "true", "1": verifyCertificate = true
        case "false", "0": verifyCertificate = false
        default: throw SMTPError.invalidURL("verify must be true or false")
        }
    }
}

/// What can go wrong sending mail. `isPermanent` tells a retry loop when to stop early.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an unexpected code.
    case rejected(code: Int, message: String, during: String)
    case timeout(during: String)
    case connectionFailed(String)
    case connectionClosed
    /// The server does not offer what the configuration requires (STARTTLS, AUTH).
    case unsupported(String)
    case invalidURL(String)
    case protocolViolation(String)

    /// 5xx replies will fail the same way again; everything else may succeed on retry.
    public var isPermanent: Bool {
        if case .rejected(let code, _, _) = self { return code >= 500 }
        if case .invalidURL = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .rejected(code, message, during): "SMTP \(code) during \(during): \(message)"
        case .timeout(let during): "SMTP timeout during \(during)"
        case .connectionFailed(let reason): "SMTP connection failed: \(reason)"
        case .connectionClosed: "SMTP connection closed"
        case .unsupported(let what): "SMTP server does not support \(what)"
        case .invalidURL(let reason): "invalid SMTP URL: \(reason)"
        case .protocolViolation(let reason): "SMTP protocol violation: \(reason)"
        }
    }
}
