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

    /// Every service, in start order.
    public static let names = [users, auth, tickets, files, audit, notifications, channels]

    /// Parses `--services`: `all` or a comma list of known names.
    public static func parse(_ list: String) throws -> Set<String> {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        if items.isEmpty { throw ConfigurationError("services: expected all or a comma list of \(names.joined(separator: ", "))") }
        if items == ["all"] { return Set(names) }
        let unknown = items.filter { !names.contains($0) }
        if !unknown.isEmpty {
            throw ConfigurationError("services: unknown \(unknown.joined(separator: ", ")); known: \(names.joined(separator: ", "))")
        }
        return Set(items)
    }
}
