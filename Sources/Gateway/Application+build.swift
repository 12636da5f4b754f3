import Foundation
import HelpdeskCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import Platform
import WebUI

extension HelpdeskSystem {
    /// The router with the edge middleware (request id, access log, problem mapping, body limit, token check)
    /// and the routes of every served module.
    public func buildRouter() -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        let table = RouteTable()
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware())
        if let assets = webAssets() { router.add(middleware: WebUIMiddleware(assets: assets)) }
        router.add(middleware: ProblemMiddleware(routes: table))
        let overrides = servedModules.reduce(into: [String: Int]()) { $0.merge($1.bodyLimits) { max($0, $1) } }
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes, overrides: overrides))
        router.add(middleware: AuthenticationMiddleware(tokens: tokens))
        router.add(middleware: EventContextMiddleware())
        let routes = Routes(router: router, table: table)
        SystemRoutes(database: database, redis: redis).add(to: routes)
        DeadLetterRoutes(bus: bus).add(to: routes)
        MetricsRoutes(database: database, bus: bus, notifications: notifications.inbox).add(to: routes)
        for module in servedModules { module.addRoutes(to: routes) }
        return router
    }

    /// The web UI's files: the `--web-root` folder (re-read on change) or the built-in resources.
    func webAssets() -> WebAssets? {
        let root = configuration.webRoot.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? WebUIResources.publicDirectory
        do {
            return try WebAssets(root: root, live: configuration.webRoot != nil)
        } catch {
            logger.error("web UI not served: its files cannot be read", metadata: ["path": "\(root.path)", "error": "\(error)"])
            return nil
        }
    }

    /// The HTTP application, with the relay and the database closer as its services; it stops gracefully on
    /// SIGINT and SIGTERM, letting in-flight requests finish.
    public func buildApplication() -> some ApplicationProtocol {
        let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
        RealtimeEndpoint(hub: realtime, tokens: tokens, users: users.directory, logger: logger).add(to: webSocketRouter)
        return Application(
            router: buildRouter(),
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter,
                                           configuration: .init(http1: .init(), ws: .init(maxFrameSize: 1 << 14))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "helpdesk"),
            services: services,
            logger: logger)
    }
}
