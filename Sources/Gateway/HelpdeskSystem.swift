import AsyncHTTPClient
import AuditService
import AuthService
import AutomationService
import ChannelService
import FileService
import Foundation
import HelpdeskCore
import Logging
import NotificationService
import Platform
import RedisClient
import ServiceLifecycle
import TicketService
import UserService
import WebUI

/// The composition root: builds the infrastructure once and wires every service module to it and to each
/// other through the client protocols of HelpdeskCore. The only place that knows all modules.
public struct HelpdeskSystem: Sendable {
    public let configuration: HelpdeskConfiguration
    public let database: Database
    public let tokens: AccessTokens
    public let users: UserServiceModule
    public let auth: AuthServiceModule
    public let tickets: TicketServiceModule
    public let files: FileServiceModule
    public let audit: AuditServiceModule
    public let notifications: NotificationServiceModule
    public let channels: ChannelServiceModule
    public let automations: AutomationServiceModule
    public let relay: OutboxRelay
    /// The bus the relay publishes to: in-process, or Redis Streams with `--redis-url`.
    public let bus: any EventBus
    public let redis: RedisClient?
    /// The open WebSocket connections of the web UI and who is on which ticket.
    public let realtime: RealtimeHub
    /// Password storage (the seeder gives seeded users one password).
    let credentials: Credentials
    /// Users as this process reaches them: the local module, or the users service over HTTP.
    let userDirectory: any UserDirectory
    /// The files service's attachment registry, answering other processes' calls.
    let attachments: FileAttachments
    /// Signs and checks calls between services.
    let signature: ServiceSignature
    /// The replicas of each service a gateway forwards to, and the client it forwards with.
    let upstreams: [String: UpstreamPool]
    let httpClient: HTTPClient?
    /// The gateway's token buckets: in memory, or in Redis with `--redis-url`.
    let rateLimiter: any RateLimiter
    public let requestMetrics = RequestMetrics()
    /// The API document a gateway serves and validates bodies against (nil in a service process).
    let openAPI: OpenAPIDocument?
    public let logger: Logger

    /// Every module, whether this process serves its routes or not: in-process clients need them all until
    /// remote clients exist.
    var allModules: [any ServiceModule] { [users, auth, tickets, files, audit, notifications, channels, automations] }

    /// The modules whose routes, subscriptions and background work run in this process.
    public var servedModules: [any ServiceModule] {
        allModules.filter { configuration.services.contains($0.name) }
    }

    /// Opens the database and builds every module. Nothing is migrated or started yet.
    /// - Parameters:
    ///   - mailer: overrides the mailer of password resets; `mailTransport`: where notification emails go
    ///     (both default to SMTP with `--smtp-url`, else the log).
    public static func make(configuration: HelpdeskConfiguration, logger: Logger, mailer: (any Mailer)? = nil,
                            mailTransport: (any MailTransport)? = nil,
                            clock: TimeSource = .system, signingKey: SigningKey? = nil) async throws -> HelpdeskSystem {
        let database = try Database(url: configuration.effectiveDatabaseURL, logger: logger)
        do {
            let key = try signingKey ?? SigningKey.load(environmentValue: configuration.jwtPrivateKey,
                                                        dataDirectory: configuration.dataDirectory, logger: logger)
            let tokens = await AccessTokens(signingKey: key, lifetime: configuration.accessTokenLifetime, clock: clock)
            let credentials = Credentials(database: database, hasher: PasswordHasher(cost: configuration.bcryptCost),
                                          clock: clock)
            // One HTTP client for forwarding (a gateway) and for calling the services this process does not serve.
            let httpClient: HTTPClient? = configuration.upstreams.isEmpty ? nil : Self.makeHTTPClient()
            let signature = ServiceSignature(signingKey: key)
            func remote(_ service: String) -> InternalClient? {
                guard !configuration.services.contains(service), let urls = configuration.upstreams[service], !urls.isEmpty,
                      let httpClient else { return nil }
                return InternalClient(pool: UpstreamPool(service: service, urls: urls), http: httpClient, signature: signature)
            }
            let users = UserServiceModule(database: database,
                                          credentials: remote(ServiceRegistry.auth).map(Remote.CredentialRegistryClient.init) ?? credentials,
                                          clock: clock)
            let userDirectory: any UserDirectory = remote(ServiceRegistry.users).map(Remote.UserDirectoryClient.init) ?? users.directory
            var authConfig = AuthConfiguration()
            authConfig.allowRegistration = configuration.allowRegistration
            authConfig.publicURL = configuration.effectivePublicURL
            let transport: any MailTransport = try mailTransport
                ?? configuration.smtpURL.map { SMTPTransport(configuration: try SMTPConfiguration(url: $0)) }
                ?? LogMailTransport(logger: logger)
            let authMailer: any Mailer = mailer ?? (configuration.smtpURL != nil
                ? TransportMailer(transport: transport, sender: configuration.mailFrom) : LogMailer(logger: logger))
            let authenticator = try await Authenticator(
                database: database, directory: userDirectory, credentials: credentials, tokens: tokens,
                mailer: authMailer, configuration: authConfig, clock: clock)
            let auth = AuthServiceModule(authenticator: authenticator, workspaceID: configuration.workspaceID)
            let attachments = FileAttachments(database: database, clock: clock)
            let tickets = TicketServiceModule(
                database: database, directory: userDirectory,
                attachments: remote(ServiceRegistry.files).map(Remote.AttachmentRegistryClient.init) ?? attachments, clock: clock)
            let remoteTickets = remote(ServiceRegistry.tickets)
            let ticketDirectory: any TicketDirectory = remoteTickets.map(Remote.TicketDirectoryClient.init) ?? tickets.directory
            var fileConfig = FileConfiguration()
            fileConfig.maxFileBytes = configuration.maxFileBytes
            if let denied = configuration.deniedFileTypes { fileConfig.deniedTypes = denied }
            fileConfig.scanner = try configuration.clamdURL.map(ClamdScanner.init(url:))
            let filesRoot = (configuration.dataDirectory as NSString).appendingPathComponent("files")
            let files = FileServiceModule(
                files: try Files(database: database,
                                 blobs: try configuration.blobURL.map {
                                     try S3BlobStore(url: $0, environment: ProcessInfo.processInfo.environment) as any BlobStore
                                 } ?? DiskBlobStore(root: filesRoot + "/blobs"),
                                 tickets: remoteTickets.map(Remote.TicketAccessClient.init) ?? tickets.tickets,
                                 configuration: fileConfig,
                                 temporaryDirectory: filesRoot + "/tmp", clock: clock),
                logger: logger)
            let audit = AuditServiceModule(database: database, retentionDays: configuration.auditRetentionDays,
                                           clock: clock, logger: logger)
            let channels = ChannelServiceModule(
                database: database, users: userDirectory, tickets: ticketDirectory,
                intake: remoteTickets.map(Remote.TicketIntakeClient.init) ?? tickets.intake,
                files: remote(ServiceRegistry.files).map(Remote.FileIntakeClient.init) ?? files.intake,
                secrets: try SecretBox.load(environmentValue: ProcessInfo.processInfo.environment["HELPDESK_SECRET_KEY"],
                                            dataDirectory: configuration.dataDirectory, logger: logger),
                ownAddresses: [configuration.mailFrom.address], clock: clock, logger: logger,
                workspaceID: configuration.relayWorkspaceOnly ? configuration.workspaceID : nil)
            let notifications = NotificationServiceModule(
                database: database, users: userDirectory, tickets: ticketDirectory, transport: transport,
                sender: configuration.mailFrom,
                replyAddresses: remote(ServiceRegistry.channels).map(Remote.ReplyAddressesClient.init) ?? channels,
                publicURL: configuration.effectivePublicURL,
                settings: configuration.deliverySettings, clock: clock, logger: logger,
                workspaceID: configuration.relayWorkspaceOnly ? configuration.workspaceID : nil)
            let automations = AutomationServiceModule(database: database,
                                                      tickets: remoteTickets.map(Remote.TicketActionsClient.init) ?? tickets.actions,
                                                      comments: ticketDirectory, clock: clock,
                                                      slaScanInterval: .seconds(configuration.slaScanInterval),
                                                      automationInterval: .seconds(configuration.automationInterval),
                                                      workspaceID: configuration.relayWorkspaceOnly ? configuration.workspaceID : nil,
                                                      logger: logger)
            let modules: [any ServiceModule] = [users, auth, tickets, files, audit, notifications, channels, automations]
            let served = modules.filter { configuration.services.contains($0.name) }
            let realtime = RealtimeHub(tickets: ticketDirectory)
            // Only the edge holds WebSockets, so only a gateway listens for what to push to them.
            // Realtime first: on the in-process bus, pages hear of a change before notifications are rendered.
            let subscriptions = (configuration.isGateway || configuration.realtimeWithoutGateway ? [RealtimeHub.subscription(realtime)] : [])
                + served.flatMap(\.subscriptions)
            notifications.inboxSignal.setHandler { [inbox = notifications.inbox] workspaceID, userIDs in
                Task {
                    var counts: [UUID: Int] = [:]
                    for id in userIDs { counts[id] = try? await inbox.unreadCount(workspaceID: workspaceID, userID: id) }
                    await realtime.inboxChanged(workspaceID: workspaceID, counts: counts)
                }
            }
            let redis = try configuration.redisURL.map { try RedisClient(url: $0) }
            let bus: any EventBus = if let redis {
                RedisStreamsEventBus(redis: redis, settings: configuration.streamSettings, subscriptions: subscriptions,
                                     ledger: ConsumerLedger(database: database), logger: logger)
            } else {
                InProcessEventBus(database: database, subscriptions: subscriptions, logger: logger)
            }
            let relay = OutboxRelay(database: database, bus: bus, logger: logger,
                                    workspaceID: configuration.relayWorkspaceOnly ? configuration.workspaceID : nil)
            let pools = Dictionary(uniqueKeysWithValues: configuration.proxiedServices.map {
                ($0, UpstreamPool(service: $0, urls: configuration.upstreams[$0] ?? []))
            })
            let rateLimiter: any RateLimiter = if let redis, configuration.rateLimitsInRedis {
                RedisRateLimiter(redis: redis, prefix: configuration.rateLimits.keyPrefix)
            } else {
                InMemoryRateLimiter()
            }
            // A gateway without its document would let unchecked bodies through: it refuses to start instead.
            let openAPI: OpenAPIDocument? = try configuration.isGateway ? {
                do { return try OpenAPIDocument.bundled.get() } catch {
                    throw ConfigurationError("the OpenAPI document in the resources is unusable: \(error)")
                }
            }() : nil
            return HelpdeskSystem(configuration: configuration, database: database, tokens: tokens, users: users,
                                  auth: auth, tickets: tickets, files: files, audit: audit, notifications: notifications, channels: channels, automations: automations, relay: relay, bus: bus, redis: redis, realtime: realtime,
                                  credentials: credentials, userDirectory: userDirectory, attachments: attachments,
                                  signature: signature, upstreams: pools, httpClient: httpClient,
                                  rateLimiter: rateLimiter, openAPI: openAPI, logger: logger)
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// Every migration this process owns: the platform's own tables first, then each module's.
    public var migrations: [ServiceMigrations] {
        [Outbox.migrations] + allModules.map(\.migrations)
    }

    /// The client for forwarding and calls between services.
    static func makeHTTPClient() -> HTTPClient {
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                timeout: .init(connect: .seconds(1), read: .seconds(60)),
                                                decompression: .disabled)
        // A refused connection fails at once, so the caller moves to another replica instead of retrying the dead
        // one until the connect timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    /// Applies pending migrations and creates the Redis consumer groups; returns the migrations it applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        let applied = try await Migrator(database: database, logger: logger).migrate(migrations)
        if let streams = bus as? RedisStreamsEventBus { try await streams.prepare() }
        return applied
    }

    /// Publishes every committed event and lets this process's consumers handle them before returning.
    /// Handlers may publish events of their own (a deactivation revokes sessions), so it goes round until the
    /// outbox stays empty.
    public func settleEvents() async throws {
        for _ in 0..<10 {
            let published = try await relay.drain()
            try await bus.settle()
            if published == 0 { return }
        }
    }

    /// Creates the bootstrap admin from the configuration if the workspace has no admin yet.
    public func bootstrapAdminIfNeeded() async throws {
        guard let admin = configuration.bootstrapAdmin else { return }
        if try await users.accounts.hasAdmin(workspaceID: configuration.workspaceID) { return }
        let user = try await users.accounts.createAdmin(workspaceID: configuration.workspaceID, email: admin.email,
                                                        name: admin.name, password: admin.password)
        logger.notice("bootstrap admin created", metadata: ["email": "\(user.email)", "user_id": "\(user.id)"])
    }

    /// Long-running work to run beside the HTTP server: the outbox relay and its trimmer, then the database
    /// closer (which must stop last, so it is started first).
    public var services: [any Service] {
        var services: [any Service] = [DatabaseLifecycle(database: database)]
            + (httpClient.map { [HTTPClientLifecycle(client: $0)] } ?? [])
            + [relay, OutboxTrimmer(database: database, logger: logger)]
        if let streams = bus as? RedisStreamsEventBus { services += streams.services }
        return services + servedModules.flatMap(\.backgroundServices)
    }

    public func shutdown() async {
        try? await httpClient?.shutdown()
        await redis?.shutdown()
        await database.shutdown()
    }
}
