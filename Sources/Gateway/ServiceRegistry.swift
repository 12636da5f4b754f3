import Platform

/// The one list of services a Helpdesk process can run. `--services all` (the default) runs every one.
public enum ServiceRegistry {
    public static let auth = "auth"
    public static let users = "users"
    public static let tickets = "tickets"
    public static let files = "files"
    public static let audit = "audit"
    public static let notifications = "notifications"
    public static let channels = "channels"
    public static let automations = "automations"
    /// The edge: rate limits, request validation, the web UI, the realtime WebSocket, API docs, and the proxy to
    /// services this process does not serve itself.
    public static let gateway = "gateway"

    /// Every service module, in start order.
    public static let names = [users, auth, tickets, files, audit, notifications, channels, automations]

    /// Everything `--services` accepts by name; `all` is every one of them.
    public static let allRoles = [gateway] + names

    /// Parses `--services`: `all` or a comma list of known names.
    public static func parse(_ list: String) throws -> Set<String> {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        if items.isEmpty { throw ConfigurationError("services: expected all or a comma list of \(allRoles.joined(separator: ", "))") }
        if items == ["all"] { return Set(allRoles) }
        let unknown = items.filter { !allRoles.contains($0) }
        if !unknown.isEmpty {
            throw ConfigurationError("services: unknown \(unknown.joined(separator: ", ")); known: \(allRoles.joined(separator: ", "))")
        }
        return Set(items)
    }
}
