import ArgumentParser
import Foundation
import Gateway
import Logging
import Platform

/// The flags every command shares; each overrides its `HELPDESK_*` variable.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Address to listen on (HELPDESK_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (HELPDESK_PORT, default 8080).") var port: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (HELPDESK_DATA_DIR, default ./data).") var dataDir: String?
    @Option(name: .customLong("database-url"),
            help: "sqlite:///path or postgres://user:pass@host:port/db (HELPDESK_DATABASE_URL).") var databaseURL: String?
    @Option(help: "Services to run: all, or a comma list of gateway,users,auth,tickets,files,audit,notifications,channels (HELPDESK_SERVICES).") var services: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (HELPDESK_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text|json (HELPDESK_LOG_FORMAT).") var logFormat: String?
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (HELPDESK_MAX_BODY_BYTES, default 1048576).")
    var maxBodyBytes: String?
    @Option(name: .customLong("max-file-bytes"), help: "Largest upload (HELPDESK_MAX_FILE_BYTES, default 26214400).")
    var maxFileBytes: String?
    @Option(name: .customLong("denied-file-types"),
            help: "MIME types refused at upload, comma list or none (HELPDESK_DENIED_FILE_TYPES; default executables, scripts).")
    var deniedFileTypes: String?
    @Option(name: .customLong("blob-url"), help: "s3://bucket?endpoint=…&region=… for S3 file storage (HELPDESK_BLOB_URL).")
    var blobURL: String?
    @Option(name: .customLong("clamd-url"), help: "Scan uploads with clamd at tcp://host:port (HELPDESK_CLAMD_URL).")
    var clamdURL: String?
    @Option(name: .customLong("redis-url"), help: "redis://host:port for the event bus across processes (HELPDESK_REDIS_URL).")
    var redisURL: String?
    @Option(name: .customLong("smtp-url"), help: "smtp://user:pass@host:port?security=starttls for email (HELPDESK_SMTP_URL; unset: log).")
    var smtpURL: String?
    @Option(name: .customLong("mail-from"), help: "Sender of emails, \"Name <address>\" (HELPDESK_MAIL_FROM).") var mailFrom: String?
    @Option(name: .customLong("delivery-max-attempts"), help: "Email attempts before failing (HELPDESK_DELIVERY_MAX_ATTEMPTS, default 8).")
    var deliveryMaxAttempts: String?
    @Option(name: .customLong("delivery-retry-seconds"), help: "First email retry delay, doubling (HELPDESK_DELIVERY_RETRY_SECONDS, default 30).")
    var deliveryRetrySeconds: String?
    @Option(name: .customLong("event-claim-timeout"),
            help: "Seconds before a dead consumer's unacknowledged events are taken over (HELPDESK_EVENT_CLAIM_TIMEOUT, default 30).")
    var eventClaimTimeout: String?
    @Option(name: .customLong("sla-scan-interval"),
            help: "Seconds between the SLA scheduler's passes over due warnings and breaches (HELPDESK_SLA_SCAN_INTERVAL, default 15).")
    var slaScanInterval: String?
    @Option(name: .customLong("automation-interval"),
            help: "Seconds between time-based automation passes (HELPDESK_AUTOMATION_INTERVAL, default 3600).")
    var automationInterval: String?
    @Option(name: .customLong("shutdown-timeout"),
            help: "Seconds SIGTERM waits for requests in flight before cancelling them (HELPDESK_SHUTDOWN_TIMEOUT, default 30).")
    var shutdownTimeout: String?
    @Option(name: .customLong("audit-retention-days"), help: "Keep audit records this many days (HELPDESK_AUDIT_RETENTION_DAYS; default forever).")
    var auditRetentionDays: String?
    @Option(name: .customLong("web-root"), help: "Serve the web UI from this folder (HELPDESK_WEB_ROOT; default: built in).")
    var webRoot: String?
    @Option(name: .customLong("bcrypt-cost"), help: "Password hashing cost (HELPDESK_BCRYPT_COST, default 12).")
    var bcryptCost: String?
    @Option(name: .customLong("allow-registration"), help: "true|false (HELPDESK_ALLOW_REGISTRATION, default true).")
    var allowRegistration: String?
    @Option(name: .customLong("public-url"), help: "Base URL used in emails (HELPDESK_PUBLIC_URL).") var publicURL: String?
    @Option(name: .customLong("upstream"),
            help: "service=url[,url…]: where the gateway forwards a service it does not serve; repeatable (HELPDESK_UPSTREAMS, whitespace-separated).")
    var upstream: [String] = []
    @Option(name: .customLong("trusted-proxies"),
            help: "IPs or CIDR blocks whose X-Forwarded-For names the client, comma list (HELPDESK_TRUSTED_PROXIES; default none).")
    var trustedProxies: String?
    @Option(name: .customLong("rate-limits"),
            help: "off, or user=N/S anonymous=N/S auth=N/S token buckets (HELPDESK_RATE_LIMITS, default user=1200/60 anonymous=300/60 auth=30/60).")
    var rateLimits: String?

    var flags: [String: String] {
        var out: [String: String] = [:]
        out["host"] = host
        out["port"] = port
        out["data-dir"] = dataDir
        out["database-url"] = databaseURL
        out["services"] = services
        out["log-level"] = logLevel
        out["log-format"] = logFormat
        out["max-body-bytes"] = maxBodyBytes
        out["max-file-bytes"] = maxFileBytes
        out["denied-file-types"] = deniedFileTypes
        out["blob-url"] = blobURL
        out["clamd-url"] = clamdURL
        out["redis-url"] = redisURL
        out["smtp-url"] = smtpURL
        out["mail-from"] = mailFrom
        out["delivery-max-attempts"] = deliveryMaxAttempts
        out["delivery-retry-seconds"] = deliveryRetrySeconds
        out["event-claim-timeout"] = eventClaimTimeout
        out["sla-scan-interval"] = slaScanInterval
        out["automation-interval"] = automationInterval
        out["audit-retention-days"] = auditRetentionDays
        out["shutdown-timeout"] = shutdownTimeout
        out["bcrypt-cost"] = bcryptCost
        out["web-root"] = webRoot
        out["allow-registration"] = allowRegistration
        out["public-url"] = publicURL
        // Joined with a separator no URL contains; the configuration splits it again.
        if !upstream.isEmpty { out["upstream"] = upstream.joined(separator: "\u{1F}") }
        out["rate-limits"] = rateLimits
        out["trusted-proxies"] = trustedProxies
        return out
    }

    /// Resolves the configuration and sets up logging; a bad setting exits with its message.
    func configuration() throws -> (HelpdeskConfiguration, Logger) {
        let config: HelpdeskConfiguration
        do {
            config = try HelpdeskConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = config.logLevel
        switch config.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "helpdesk")
        logger.logLevel = level
        return (config, logger)
    }
}
