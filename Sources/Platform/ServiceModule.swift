import HelpdeskCore
import ServiceLifecycle

/// What every service exposes to the composition root: its migrations, routes, event handlers and background
/// work. A module never builds its own infrastructure and never imports another service's module.
public protocol ServiceModule: Sendable {
    /// Stable name, as used by `--services`.
    var name: String { get }
    var migrations: ServiceMigrations { get }
    func addRoutes(to routes: Routes)
    var subscriptions: [EventSubscription] { get }
    var backgroundServices: [any Service] { get }
    /// Request body limits for path prefixes that need more than the default (uploads).
    var bodyLimits: [String: Int] { get }
}

extension ServiceModule {
    public var subscriptions: [EventSubscription] { [] }
    public var backgroundServices: [any Service] { [] }
    public var bodyLimits: [String: Int] { [:] }
}
