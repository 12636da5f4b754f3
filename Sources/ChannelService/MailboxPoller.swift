import Foundation
import HelpdeskCore
import IMAPClient
import Logging
import Platform
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Fetches IMAP mailboxes every `poll_seconds`: each unseen message is read without marking it (`BODY.PEEK[]`),
/// ingested, and only then marked seen. A process that dies in between fetches it again next time, and the
/// ingestion answers as before (it remembers Message-IDs), so no ticket is made twice.
public final class MailboxPoller: Service, Sendable {
    let database: Database
    let store: ChannelStore
    let ingestion: MailIngestion
    let secrets: SecretBox
    let logger: Logger
    /// Limits polling to one workspace (tests sharing a database).
    let workspaceID: UUID?
    private let lastPolled = NIOLockedDictionary()

    init(database: Database, store: ChannelStore, ingestion: MailIngestion, secrets: SecretBox, logger: Logger,
         workspaceID: UUID?) {
        self.database = database
        self.store = store
        self.ingestion = ingestion
        self.secrets = secrets
        self.logger = logger
        self.workspaceID = workspaceID
    }

    /// Mailboxes polled at once: one slow or stalled server holds one slot, never the others' turns.
    static let concurrency = 4

    /// Keeps up to `concurrency` polls running; each mailbox is polled again `poll_seconds` after its last poll
    /// started, and never twice at once.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: UUID?.self) { group in
                var inFlight: Set<UUID> = []
                group.addTask { try? await Task.sleep(for: .seconds(1)); return nil }
                while !Task.isCancelled {
                    for mailbox in await self.due(excluding: inFlight).prefix(Self.concurrency - inFlight.count) {
                        self.lastPolled[mailbox.id] = Date()
                        inFlight.insert(mailbox.id)
                        group.addTask { await self.pollLogged(mailbox); return mailbox.id }
                    }
                    guard let finished = await group.next() else { break }
                    if let id = finished {
                        inFlight.remove(id)
                    } else {
                        group.addTask { try? await Task.sleep(for: .seconds(1)); return nil }
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// One round: every due mailbox, `concurrency` at a time; returns when all are done.
    public func pollDue() async {
        let mailboxes = await due(excluding: [])
        await withTaskGroup(of: Void.self) { group in
            for (i, mailbox) in mailboxes.enumerated() {
                if i >= Self.concurrency { await group.next() }
                lastPolled[mailbox.id] = Date()
                group.addTask { await self.pollLogged(mailbox) }
            }
        }
    }

    /// The mailboxes whose poll interval has passed, leaving out those being polled.
    func due(excluding inFlight: Set<UUID>) async -> [Mailbox] {
        let mailboxes: [Mailbox]
        do { mailboxes = try await store.polledMailboxes(workspaceID: workspaceID, on: database.sql) } catch {
            logger.warning("mailbox poller cannot list mailboxes", metadata: ["error": "\(error)"])
            return []
        }
        let now = Date()
        return mailboxes.filter { mailbox in
            guard let imap = mailbox.imap, !inFlight.contains(mailbox.id) else { return false }
            if let last = lastPolled[mailbox.id], now.timeIntervalSince(last) < Double(imap.pollSeconds) { return false }
            return true
        }
    }

    func pollLogged(_ mailbox: Mailbox) async {
        do {
            let count = try await poll(mailbox)
            if count > 0 { logger.info("mailbox polled", metadata: ["mailbox": "\(mailbox.address)", "messages": "\(count)"]) }
        } catch {
            logger.warning("mailbox poll failed; will retry", metadata: ["mailbox": "\(mailbox.address)", "error": "\(error)"])
        }
    }

    /// Polls one mailbox now; returns how many messages were handled. A message over `maxMessageBytes`
    /// (`RFC822.SIZE`, asked first) is not fetched: it is recorded once as failed, with its reason, and marked
    /// like any handled message so it never holds up the box.
    @discardableResult
    public func poll(_ mailbox: Mailbox, maxMessageBytes: Int = MailIngestion.maxMessageBytes) async throws -> Int {
        guard let imap = mailbox.imap else { return 0 }
        let configuration = try self.configuration(imap)
        return try await IMAPSession.with(configuration) { session in
            try await session.select(imap.folder)
            var handled = 0
            let uids = Array(try await session.unseenUIDs().prefix(100))
            let sizes = try await session.sizes(uids: uids)
            for uid in uids {
                if let size = sizes[uid], size > maxMessageBytes {
                    let headers = try await session.fetchHeaders(uid: uid) ?? []
                    try await ingestion.recordOversized(mailbox: mailbox, headers: headers, size: size, limit: maxMessageBytes, uid: uid)
                    try await session.markSeen(uid: uid)
                    handled += 1
                    continue
                }
                guard let raw = try await session.fetch(uid: uid) else { continue }
                do {
                    _ = try await ingestion.ingest(mailbox: mailbox, raw: raw)
                } catch let error as HelpdeskError where error.code == "message_failed" {
                    // Kept as a failed message with its bytes; marking it lets the rest of the box through.
                } catch let error as HelpdeskError where error.code == "message_in_progress" {
                    continue // another worker has it; it marks it
                }
                if let processed = imap.processedFolder {
                    try await session.move(uid: uid, to: processed)
                } else {
                    try await session.markSeen(uid: uid)
                }
                handled += 1
            }
            return handled
        }
    }

    func configuration(_ imap: IMAPSettings) throws -> IMAPConfiguration {
        let security: IMAPConfiguration.Security = switch imap.security {
        case .none: .none
        case .starttls: .starttls
        case .tls: .tls
        }
        var configuration = IMAPConfiguration(host: imap.host, port: imap.port, security: security, username: imap.username,
                                              password: try secrets.open(imap.sealedPassword))
        configuration.timeout = .seconds(20)
        configuration.verifyCertificate = imap.verifyCertificate
        return configuration
    }

    /// Connects, logs in and opens the folder, and says which step failed.
    public func test(_ mailbox: Mailbox) async -> ConnectionTest {
        guard let imap = mailbox.imap else { return ConnectionTest(ok: false, stage: "configuration", error: "the mailbox has no IMAP settings") }
        do {
            let configuration = try self.configuration(imap)
            let unseen = try await IMAPSession.with(configuration) { session in
                do { try await session.select(imap.folder) } catch {
                    throw StageError(stage: "folder", underlying: error)
                }
                return try await session.unseenUIDs().count
            }
            return ConnectionTest(ok: true, stage: nil, error: nil, unseen: unseen)
        } catch let error as StageError {
            return ConnectionTest(ok: false, stage: error.stage, error: String(describing: error.underlying))
        } catch let error as IMAPError {
            let stage: String = switch error {
            case .connectionFailed: "connect"
            case .timeout: "timeout"
            case .refused(let command, _) where command.hasPrefix("AUTHENTICATE") || command.hasPrefix("LOGIN"): "auth"
            case .unsupported: "tls"
            default: "protocol"
            }
            return ConnectionTest(ok: false, stage: stage, error: error.description)
        } catch {
            let text = String(describing: error)
            return ConnectionTest(ok: false, stage: text.lowercased().contains("ssl") || text.contains("TLS") ? "tls" : "connect", error: text)
        }
    }

    struct StageError: Error {
        let stage: String
        let underlying: any Error
    }
}

/// What `POST /mailboxes/{id}/test` answers.
public struct ConnectionTest: Sendable, Encodable {
    public let ok: Bool
    /// `connect` (DNS, refused), `tls`, `auth`, `folder`, `timeout`, `protocol`, `configuration`.
    public let stage: String?
    public let error: String?
    public var unseen: Int? = nil
}

/// The time each mailbox was last polled.
final class NIOLockedDictionary: Sendable {
    private let box = NIOLockedValueBox<[UUID: Date]>([:])
    subscript(key: UUID) -> Date? {
        get { box.withLockedValue { $0[key] } }
        set { box.withLockedValue { $0[key] = newValue } }
    }
}
