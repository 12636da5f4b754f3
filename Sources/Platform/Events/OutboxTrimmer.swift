import Foundation
import HelpdeskCore
import Logging
import ServiceLifecycle
import SQLKit

/// Deletes what the event pipeline no longer needs: published outbox rows and consumer-ledger rows older than
/// the retention. Without it both tables grew by every event forever (each created ticket left two outbox rows
/// and a ledger row per consumer).
///
/// Seven days, as the Redis stream keeps its entries (`StreamSettings.maxAge`): a ledger row only matters while
/// its event can still be delivered again. Unpublished rows are never deleted, however old.
public struct OutboxTrimmer: Service {
    let database: Database
    let logger: Logger
    let retention: Duration
    let interval: Duration
    /// Rows per statement, so that one pass never holds a write lock for long (SQLite has one writer).
    let chunk: Int

    public init(database: Database, logger: Logger, retention: Duration = .seconds(7 * 24 * 3600),
                interval: Duration = .seconds(3600), chunk: Int = 5_000) {
        self.database = database
        self.chunk = chunk
        self.logger = logger
        self.retention = retention
        self.interval = interval
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { _ = try await trim() } catch {
                    logger.warning("outbox trim failed; will retry", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Trims once; returns how many outbox and ledger rows were deleted.
    @discardableResult
    public func trim(now: Date = Date()) async throws -> (outbox: Int, ledger: Int) {
        let cutoff = now.epochMilliseconds - Int64(retention.components.seconds * 1000)
        // Oldest first by sequence: the scan stops once a chunk is found, published rows being at the front.
        let outbox = try await deleteInChunks { limit in """
            DELETE FROM outbox WHERE seq IN (
              SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < \(bind: cutoff)
              ORDER BY seq LIMIT \(unsafeRaw: String(limit)))
            RETURNING 1 AS deleted
            """ }
        let ledger = try await deleteInChunks { limit in """
            DELETE FROM consumed_events WHERE (consumer, event_id) IN (
              SELECT consumer, event_id FROM consumed_events WHERE handled_at < \(bind: cutoff)
              LIMIT \(unsafeRaw: String(limit)))
            RETURNING 1 AS deleted
            """ }
        if outbox + ledger > 0 {
            logger.info("trimmed the outbox", metadata: ["outbox_rows": "\(outbox)", "ledger_rows": "\(ledger)"])
        }
        return (outbox, ledger)
    }

    private func deleteInChunks(_ statement: (Int) -> SQLQueryString) async throws -> Int {
        var total = 0
        let sql = database.sql
        while !Task.isCancelled {
            let query = statement(chunk)
            let deleted = try await database.exclusive { try await sql.raw(query).all().count }
            total += deleted
            if deleted < chunk { break }
        }
        return total
    }
}
