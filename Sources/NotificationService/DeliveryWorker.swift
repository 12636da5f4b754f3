import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// How email deliveries are retried.
public struct DeliverySettings: Sendable {
    /// Attempts before a delivery is `failed`.
    public var maxAttempts = 8
    /// Wait before retry n: `baseBackoff × 2^(n-1)`, capped at one hour.
    public var baseBackoff: TimeInterval = 30
    /// How often the worker looks for due deliveries when nothing wakes it.
    public var pollInterval: Duration = .seconds(1)
    public init() {}

    func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(baseBackoff * Double(1 << min(max(attempts - 1, 0), 16)), 3_600)
    }
}

/// Sends one delivery on its channel. Email is the first; web push and SMS plug in as more senders.
public protocol ChannelSender: Sendable {
    var channel: NotificationChannel { get }
    /// Throws on failure; an `SMTPError` (or any error) whose `isPermanent` is true stops the retries.
    func send(_ delivery: Delivery) async throws
}

/// Email: the message was rendered when the delivery was queued; this hands it to the transport.
struct EmailSender: ChannelSender {
    let transport: any MailTransport
    let sender: MailSender
    var channel: NotificationChannel { .email }

    func send(_ delivery: Delivery) async throws {
        try await transport.send(from: sender.address, to: [delivery.recipient], data: delivery.message ?? "")
    }
}

/// Sends queued deliveries of the channels that need sending (email now): each attempt is counted; a failure is retried with exponential backoff
/// until `maxAttempts`, or stops at once on a permanent (5xx) refusal.
public final class DeliveryWorker: Service, Sendable {
    let database: Database
    let store: NotificationStore
    let senders: [NotificationChannel: any ChannelSender]
    let settings: DeliverySettings
    let clock: TimeSource
    let logger: Logger
    let workspaceID: UUID?
    let wake: AsyncStream<Void>
    let wakeContinuation: AsyncStream<Void>.Continuation

    init(database: Database, store: NotificationStore, senders: [any ChannelSender],
         settings: DeliverySettings, clock: TimeSource, logger: Logger, workspaceID: UUID?) {
        self.database = database
        self.store = store
        self.senders = Dictionary(senders.map { ($0.channel, $0) }, uniquingKeysWith: { $1 })
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.workspaceID = workspaceID
        (wake, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func nudge() { wakeContinuation.yield() }

    public func run() async throws {
        let wake = self.wake
        let interval = settings.pollInterval
        try await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in wake { await self.deliverDueLogging() } }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if !Task.isCancelled { await self.deliverDueLogging() }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func deliverDueLogging() async {
        do { _ = try await deliverDue() } catch {
            logger.warning("delivery pass failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    /// Sends every delivery due now; returns how many were attempted. Tests call it directly.
    @discardableResult
    public func deliverDue() async throws -> Int {
        var attempted = 0
        let limit = 20
        let (sql, store, workspaceID) = (database.sql, store, workspaceID)
        while true {
            let now = clock.now
            let batch = try await database.exclusive {
                try await store.claimDue(now: now, lease: now.addingTimeInterval(300), limit: limit, workspaceID: workspaceID, on: sql)
            }
            for delivery in batch { try await attempt(delivery) }
            attempted += batch.count
            // A short batch was everything due; deliveries queued since come with their nudge or the poll.
            if batch.count < limit { return attempted }
        }
    }

    private func attempt(_ delivery: Delivery) async throws {
        var d = delivery
        d.attempts += 1
        do {
            guard let sender = senders[d.channel] else { throw DeliveryError.noSender(d.channel) }
            try await sender.send(d)
            d.status = .sent
            d.sentAt = clock.now
            d.nextAttemptAt = nil
            d.lastError = nil
        } catch {
            let permanent = (error as? SMTPError)?.isPermanent ?? (error is DeliveryError)
            d.lastError = String(String(describing: error).prefix(1_000))
            if permanent || d.attempts >= settings.maxAttempts {
                d.status = .failed
                d.nextAttemptAt = nil
                logger.error("email delivery failed for good", metadata: [
                    "delivery_id": "\(d.id.lowercased)", "attempts": "\(d.attempts)", "error": "\(d.lastError ?? "")",
                ])
            } else {
                d.status = .retrying
                d.nextAttemptAt = clock.now.addingTimeInterval(settings.backoff(afterAttempts: d.attempts))
                logger.warning("email delivery failed; will retry", metadata: [
                    "delivery_id": "\(d.id.lowercased)", "attempts": "\(d.attempts)", "error": "\(d.lastError ?? "")",
                ])
            }
        }
        d.updatedAt = clock.now
        let updated = d
        let (sql, store) = (database.sql, store)
        try await database.exclusive { try await store.update(updated, on: sql) }
    }
}

enum DeliveryError: Error, CustomStringConvertible {
    case noSender(NotificationChannel)
    var description: String {
        switch self { case .noSender(let channel): "no sender configured for channel \(channel.rawValue)" }
    }
}
