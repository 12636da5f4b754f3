import Foundation
import HelpdeskCore
import Logging
import NotificationService
import Platform
import RedisClient

/// Every setting of a Helpdesk process. Each comes from a flag, else a `HELPDESK_*` variable, else the default
/// here, which makes `helpdesk serve` work with no configuration at all.
///
/// - host (string, 127.0.0.1), port (int, 8080): where the HTTP server listens.
/// - data-dir (path, ./data): the SQLite database, the token signing key and (later) files live here.
/// - database-url (sqlite:///path | postgres://user:pass@host:port/db, `<data-dir>/helpdesk.sqlite`).
/// - services (comma list, all): which services this process serves.
/// - log-level (trace…critical, info), log-format (text | json, text).
/// - max-body-bytes (int, 1048576): larger request bodies answer 413.
/// - max-file-bytes (int, 26214400): larger uploads answer 413 `file_too_large`.
/// - denied-file-types (comma list of MIME types, executables and scripts): uploads of these detected types
///   answer 415 `file_type_not_allowed`; `none` allows every type.
/// - blob-url (s3://bucket?endpoint=…&region=…, unset): S3-compatible file storage, credentials from
///   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; unset: files under the data dir.
/// - clamd-url (tcp://host:port, unset): scan uploads with ClamAV; infected files answer 422 `file_infected`.
/// - redis-url (redis://[user:pass@]host:port[/db], unset): event bus on Redis Streams (and later cache and rate
///   limits); unset: everything in-process.
/// - smtp-url (smtp://user:pass@host:port?security=none|starttls|tls, smtps://…; unset): send email through this
///   server; unset: emails are written to the log.
/// - mail-from ("Name <address>", "Helpdesk <helpdesk@localhost>"): the sender of every email.
/// - delivery-max-attempts (int ≥ 1, 8), delivery-retry-seconds (number > 0, 30): email retries, backoff doubling.
/// - event-claim-timeout (seconds, 30): with Redis, events a dead consumer left unacknowledged this long are
///   taken over by a live one.
/// - sla-scan-interval (seconds 1…60, 15): how often the SLA scheduler looks for warnings and breaches to announce.
/// - audit-retention-days (int ≥ 1, unset): prune audit records older than this, daily; unset keeps them all.
/// - shutdown-timeout (seconds 1…3600, 30): how long SIGTERM waits for requests and connections in flight before
///   cancelling them; a client that stalls mid-request cannot keep a stopping server up.
/// - bcrypt-cost (4…31, 12): password hashing cost.
/// - web-root (directory, unset): serve the web UI from this folder, read again on every request (UI development);
///   unset serves the copy built into the binary's resources.
/// - allow-registration (bool, true): whether customers may sign up themselves.
/// - public-url (URL, http://<host>:<port>): base of links in emails.
/// - upstream (repeatable `service=url[,url…]`, HELPDESK_UPSTREAMS whitespace-separated): where a gateway that
///   does not serve a service itself forwards its routes; several URLs are replicas, balanced round-robin.
/// - trusted-proxies (comma list of IPs or CIDR blocks, none): peers whose X-Forwarded-For names the client.
/// - rate-limits (`off` or `user=N/S anonymous=N/S auth=N/S`, defaults 1200/60, 300/60, 30/60): token buckets
///   of the gateway, in memory or in Redis with `--redis-url`.
/// - HELPDESK_JWT_PRIVATE_KEY (base64 Ed25519 seed, generated into the data dir).
/// - HELPDESK_BOOTSTRAP_ADMIN_EMAIL / _PASSWORD / _NAME: the first admin, created on start when none exists.
public struct HelpdeskConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./data"
    public var databaseURL: DatabaseURL?
    public var services: Set<String> = Set(ServiceRegistry.allRoles)
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    public var maxBodyBytes = 1 << 20
    public var maxFileBytes: Int64 = 25 * 1024 * 1024
    /// Detected content types refused at upload; nil keeps the default (executables and scripts).
    public var deniedFileTypes: Set<String>?
    /// `s3://bucket?endpoint=…&region=…` to keep files in S3-compatible storage; unset: `<data-dir>/files`.
    public var blobURL: String?
    /// `tcp://host:port` of a clamd that scans uploads; unset: no scanning.
    public var clamdURL: String?
    /// `redis://…` to carry events between processes on Redis Streams; unset: the in-process bus.
    public var redisURL: String?
    /// Retry, reclaim and retention settings of the Redis bus (tests shorten them).
    public var streamSettings = StreamSettings()
    /// Tests sharing one database set this so their relay publishes only their own workspace's events.
    public var relayWorkspaceOnly = false
    /// `smtp://…` for outgoing mail; nil writes emails to the log.
    public var smtpURL: String?
    public var mailFrom = MailSender(name: "Helpdesk", address: "helpdesk@localhost")
    public var deliverySettings = DeliverySettings()
    /// Seconds between the SLA scheduler's passes.
    public var slaScanInterval = 15
    /// Seconds between time-based automation passes.
    public var automationInterval = 3_600
    /// Days of audit records to keep; nil keeps everything.
    public var auditRetentionDays: Int?
    /// Seconds a graceful shutdown may take before the work still running is cancelled.
    public var shutdownTimeout = 30
    public var bcryptCost: UInt8 = 12
    /// A folder to serve the web UI from instead of the built-in resources (development).
    public var webRoot: String?
    public var allowRegistration = true
    public var publicURL: String?
    /// Replicas of each service a gateway forwards to, by service name.
    public var upstreams: [String: [String]] = [:]
    public var rateLimits = RateLimitSettings.defaults
    /// Whether the buckets live in Redis when `--redis-url` is set (tests keep them in memory unless they test the
    /// shared buckets, so a hundred tests side by side do not add a Redis round trip to every request).
    public var rateLimitsInRedis = true
    /// Peers whose `X-Forwarded-For` names the client: the gateway, seen from a service; a load balancer, seen
    /// from a gateway.
    public var trustedProxies = TrustedProxies.none
    /// Tests only: a process that is not a gateway still feeds its realtime hub (the harness drives the hub of the
    /// services' process while a separate gateway takes the requests).
    public var realtimeWithoutGateway = false
    public var jwtPrivateKey: String?
    public var accessTokenLifetime: TimeInterval = 15 * 60
    public var bootstrapAdmin: (email: String, password: String, name: String)?
    /// The workspace unauthenticated requests act in; a default install has one.
    public var workspaceID = Workspace.defaultID

    public enum LogFormat: String, Sendable {
        case text, json
    }

    public init() {}

    /// The database to use: the configured URL or SQLite in the data directory.
    public var effectiveDatabaseURL: DatabaseURL {
        databaseURL ?? .defaultSQLite(dataDirectory: dataDirectory)
    }

    public var effectivePublicURL: String { publicURL ?? "http://\(host):\(port)" }

    /// Whether this process is the edge (`--services` includes `gateway`, as `all` does).
    public var isGateway: Bool { services.contains(ServiceRegistry.gateway) }

    /// Services a gateway forwards instead of serving; each must have an upstream.
    public var proxiedServices: [String] {
        isGateway ? ServiceRegistry.names.filter { !services.contains($0) } : []
    }

    /// Checks that upstreams and services fit together: a gateway needs an upstream for every service it does
    /// not serve, and no upstream may name a service served here. (A service process may name the others it calls;
    /// those it does not name it reads in the shared database.)
    public func checkUpstreams() throws {
        for service in upstreams.keys.sorted() where services.contains(service) {
            throw ConfigurationError("upstream: \(service) is served by this process; drop its --upstream or its --services entry")
        }
        let missing = proxiedServices.filter { upstreams[$0]?.isEmpty ?? true }
        if !missing.isEmpty {
            throw ConfigurationError("upstream: the gateway serves no \(missing.joined(separator: ", ")); give --upstream <service>=<url> for each, or serve it here with --services")
        }
    }

    /// Resolves settings from flag values (by long name, without dashes) over `HELPDESK_*` variables over
    /// defaults; an unusable value throws an error naming the setting.
    public static func resolve(flags: [String: String], environment: [String: String]) throws -> HelpdeskConfiguration {
        func value(_ name: String) -> String? {
            if let flag = flags[name] { return flag }
            let key = "HELPDESK_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            return environment[key].flatMap { $0.isEmpty ? nil : $0 }
        }
        var config = HelpdeskConfiguration()
        if let host = value("host") { config.host = host }
        if let port = value("port") {
            guard let n = Int(port), (0...65535).contains(n) else { throw ConfigurationError("port: expected 0-65535, got \(port)") }
            config.port = n
        }
        if let dir = value("data-dir") { config.dataDirectory = dir }
        if let url = value("database-url") { config.databaseURL = try DatabaseURL.parse(url) }
        if let list = value("services") { config.services = try ServiceRegistry.parse(list) }
        if let level = value("log-level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("log-level: expected trace, debug, info, notice, warning, error or critical")
            }
            config.logLevel = parsed
        }
        if let format = value("log-format") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError("log-format: expected text or json")
            }
            config.logFormat = parsed
        }
        if let bytes = value("max-body-bytes") {
            guard let n = Int(bytes), n >= 1024 else { throw ConfigurationError("max-body-bytes: expected an integer >= 1024") }
            config.maxBodyBytes = n
        }
        if let bytes = value("max-file-bytes") {
            guard let n = Int64(bytes), n >= 1 else { throw ConfigurationError("max-file-bytes: expected a positive integer") }
            config.maxFileBytes = n
        }
        if let list = value("denied-file-types") {
            let types = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            if list.lowercased() != "none", types.contains(where: { !$0.contains("/") }) {
                throw ConfigurationError("denied-file-types: expected a comma list of MIME types such as text/html, or none")
            }
            config.deniedFileTypes = list.lowercased() == "none" ? [] : Set(types)
        }
        if let url = value("blob-url") {
            guard url.hasPrefix("s3://") else { throw ConfigurationError("blob-url: expected s3://bucket?endpoint=…&region=…") }
            config.blobURL = url
        }
        if let url = value("clamd-url") {
            _ = try ClamdScannerURL.check(url)
            config.clamdURL = url
        }
        if let url = value("redis-url") {
            do { _ = try RedisConfiguration(url: url) } catch { throw ConfigurationError("redis-url: \(error)") }
            config.redisURL = url
        }
        if let url = value("smtp-url") {
            do { _ = try SMTPConfiguration(url: url) } catch { throw ConfigurationError("smtp-url: \(error)") }
            config.smtpURL = url
        }
        if let from = value("mail-from") {
            guard let sender = MailSender(parsing: from) else {
                throw ConfigurationError("mail-from: expected an address or \"Name <address>\"")
            }
            config.mailFrom = sender
        }
        if let n = value("delivery-max-attempts") {
            guard let attempts = Int(n), (1...100).contains(attempts) else {
                throw ConfigurationError("delivery-max-attempts: expected 1-100")
            }
            config.deliverySettings.maxAttempts = attempts
        }
        if let n = value("delivery-retry-seconds") {
            guard let seconds = Double(n), seconds > 0, seconds <= 86_400 else {
                throw ConfigurationError("delivery-retry-seconds: expected a number of seconds above 0")
            }
            config.deliverySettings.baseBackoff = seconds
        }
        if let seconds = value("event-claim-timeout") {
            guard let n = Int(seconds), (1...86_400).contains(n) else {
                throw ConfigurationError("event-claim-timeout: expected seconds between 1 and 86400")
            }
            config.streamSettings.claimTimeout = .seconds(n)
        }
        if let seconds = value("sla-scan-interval") {
            guard let n = Int(seconds), (1...60).contains(n) else {
                throw ConfigurationError("sla-scan-interval: expected seconds between 1 and 60")
            }
            config.slaScanInterval = n
        }
        if let seconds = value("automation-interval") {
            guard let n = Int(seconds), (60...86_400).contains(n) else {
                throw ConfigurationError("automation-interval: expected seconds between 60 and 86400")
            }
            config.automationInterval = n
        }
        if let seconds = value("shutdown-timeout") {
            guard let n = Int(seconds), (1...3600).contains(n) else {
                throw ConfigurationError("shutdown-timeout: expected seconds between 1 and 3600")
            }
            config.shutdownTimeout = n
        }
        if let days = value("audit-retention-days") {
            guard let n = Int(days), n >= 1 else { throw ConfigurationError("audit-retention-days: expected a positive integer") }
            config.auditRetentionDays = n
        }
        if let root = value("web-root") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue,
                  FileManager.default.fileExists(atPath: root + "/index.html") else {
                throw ConfigurationError("web-root: expected a folder holding index.html")
            }
            config.webRoot = root
        }
        if let cost = value("bcrypt-cost") {
            guard let n = UInt8(cost), (4...31).contains(n) else { throw ConfigurationError("bcrypt-cost: expected 4-31") }
            config.bcryptCost = n
        }
        if let allow = value("allow-registration") {
            switch allow.lowercased() {
            case "true", "1", "yes", "on": config.allowRegistration = true
            case "false", "0", "no", "off": config.allowRegistration = false
            default: throw ConfigurationError("allow-registration: expected true or false")
            }
        }
        var upstreamItems = (flags["upstream"] ?? "").split(separator: "\u{1F}").map(String.init)
        if upstreamItems.isEmpty, let env = environment["HELPDESK_UPSTREAMS"] {
            upstreamItems = env.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == ";" }).map(String.init)
        }
        config.upstreams = try UpstreamList.parse(upstreamItems, known: ServiceRegistry.names)
        if let limits = value("rate-limits") { config.rateLimits = try RateLimitSettings.parse(limits) }
        if let proxies = value("trusted-proxies") { config.trustedProxies = try TrustedProxies.parse(proxies) }
        if let url = value("public-url") { config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        config.jwtPrivateKey = environment["HELPDESK_JWT_PRIVATE_KEY"]
        if let email = environment["HELPDESK_BOOTSTRAP_ADMIN_EMAIL"], !email.isEmpty {
            guard let password = environment["HELPDESK_BOOTSTRAP_ADMIN_PASSWORD"], !password.isEmpty else {
                throw ConfigurationError("HELPDESK_BOOTSTRAP_ADMIN_PASSWORD must be set with HELPDESK_BOOTSTRAP_ADMIN_EMAIL")
            }
            config.bootstrapAdmin = (email, password, environment["HELPDESK_BOOTSTRAP_ADMIN_NAME"] ?? "Administrator")
        }
        return config
    }
}

/// Checks `--clamd-url` at startup so a typo fails fast.
enum ClamdScannerURL {
    static func check(_ url: String) throws -> URLComponents {
        guard let parts = URLComponents(string: url), parts.scheme == "tcp", parts.host != nil, parts.port != nil else {
            throw ConfigurationError("clamd-url: expected tcp://host:port")
        }
        return parts
    }
}
