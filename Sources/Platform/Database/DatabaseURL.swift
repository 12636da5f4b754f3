import Foundation
import HelpdeskCore

/// Where the database lives: `sqlite:///abs/path.db`, `sqlite://relative.db` or `postgres://user:pass@host:port/db`.
public enum DatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses a database URL; the error names the setting so an operator can find it.
    public static func parse(_ text: String) throws -> DatabaseURL {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigurationError("database-url: sqlite URL has no path") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard URL(string: text)?.host != nil else {
                throw ConfigurationError("database-url: cannot read host from the PostgreSQL URL")
            }
            return .postgres(url: text)
        }
        throw ConfigurationError("database-url: expected sqlite:///path or postgres://user:pass@host:port/db")
    }

    /// The default: `<data-dir>/helpdesk.sqlite`.
    public static func defaultSQLite(dataDirectory: String) -> DatabaseURL {
        .sqlite(path: (dataDirectory as NSString).appendingPathComponent("helpdesk.sqlite"))
    }

    public var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The URL with any password masked, for logs.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "postgres://…" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://…"
        }
    }
}

/// The SQL dialect in use, for the few statements that differ.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

/// A configuration value that cannot be used; the message names the setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
