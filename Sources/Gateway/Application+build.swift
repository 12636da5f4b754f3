import Foundation
import HelpdeskCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import Platform
import WebUI

extension HelpdeskSystem {
    /// The router: edge middleware (request id, trace context, metrics, access log, problem mapping, body limit,
    /// token check), then for a gateway the rate limits, request validation and the proxy to services served
    /// elsewhere, and the routes of every module served here.
    public func buildRouter(table: RouteTable = RouteTable()) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        let gateway = configuration.isGateway
        router.add(middleware: RequestIDMiddleware())
        if !configuration.trustedProxies.isEmpty {
            router.add(middleware: ClientAddressMiddleware(trusted: configuration.trustedProxies))
        }
        router.add(middleware: TraceContextMiddleware())
        router.add(middleware: MetricsMiddleware(metrics: requestMetrics))
        router.add(middleware: AccessLogMiddleware())
        if gateway, configuration.rateLimits.isEnabled { router.add(middleware: RateLimitHeadersMiddleware()) }
        if gateway, let assets = webAssets() { router.add(middleware: WebUIMiddleware(assets: assets)) }
        router.add(middleware: ProblemMiddleware(routes: table))
        // A gateway enforces the body limits of the services it forwards to as well as its own.
        let limited = gateway ? allModules : servedModules
        var overrides = limited.reduce(into: [String: Int]()) { $0.merge($1.bodyLimits) { max($0, $1) } }
        // Calls between services carry files stored for the email channel.
        if !gateway { overrides[InternalCalls.prefix] = 64 << 20 }
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes, overrides: overrides))
        router.add(middleware: AuthenticationMiddleware(tokens: tokens))
        if gateway, configuration.rateLimits.isEnabled {
            router.add(middleware: RateLimitMiddleware(limiter: rateLimiter, settings: configuration.rateLimits))
        }
        router.add(middleware: EventContextMiddleware())
        let document = gateway ? openAPI : nil
        if let document { router.add(middleware: RequestValidationMiddleware(document: document)) }
        if let httpClient, !upstreams.isEmpty {
            router.add(middleware: ServiceProxy(remotes: remoteRoutes(), local: table, client: httpClient,
                                                retryBufferBytes: configuration.maxBodyBytes))
        }
        let routes = Routes(router: router, table: table)
        SystemRoutes(database: database, redis: redis, upstreams: upstreams.values.sorted { $0.service < $1.service },
                     client: httpClient).add(to: routes)
        DeadLetterRoutes(bus: bus).add(to: routes)
        MetricsRoutes(database: database, bus: bus, notifications: notifications.inbox, requests: requestMetrics,
                      upstreams: upstreams.values.sorted { $0.service < $1.service },
                      realtime: configuration.isGateway ? realtime : nil).add(to: routes)
        if let document { OpenAPIRoutes(document: document).add(to: routes) }
        for module in servedModules { module.addRoutes(to: routes) }
        // A service process answers the other services' calls; a gateway's processes never call it.
        if !gateway { addInternalRoutes(to: routes, signature: signature) }
        return router
    }

    /// The routes of each service this gateway forwards, recorded from the module itself (never a hand-kept
    /// prefix list), with the replicas to send them to.
    func remoteRoutes() -> [ServiceProxy.Remote] {
        allModules.compactMap { module in
            guard let pool = upstreams[module.name] else { return nil }
            let table = RouteTable()
            module.addRoutes(to: Routes(router: Router(context: AppRequestContext.self), table: table))
            return ServiceProxy.Remote(routes: table, pool: pool)
        }
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
    /// SIGINT and SIGTERM, letting in-flight requests finish. Only a gateway accepts WebSockets.
    public func buildApplication() -> some ApplicationProtocol {
        let webSocketRouter = Router(context: RealtimeRequestContext.self)
        if configuration.isGateway {
            RealtimeEndpoint(hub: realtime, tokens: tokens, users: userDirectory, logger: logger).add(to: webSocketRouter)
        }
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
