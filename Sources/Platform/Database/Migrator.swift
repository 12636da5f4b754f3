import Foundation
import HelpdeskCore
import Logging
import SQLKit

/// Applies each service's pending migrations once, recording them in `schema_migrations`.
///
/// Safe when several processes start at once: on PostgreSQL they queue on an advisory lock; on SQLite the
/// IMMEDIATE transaction is the lock. A migration and its record commit together, so a crash leaves either
/// both or neither.
public struct Migrator: Sendable {
    /// The advisory lock key (any constant: it only has to be the same in every process).
    static let advisoryLockKey: Int64 = 0x4865_6C70_6465_736B   // "Helpdesk"

    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Applies what is pending and returns the `service@version` labels it applied.
    @discardableResult
    public func migrate(_ services: [ServiceMigrations]) async throws -> [String] {
        let kind = database.kind
        let createTable = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                service TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL,
                PRIMARY KEY (service, version))
            """
        switch kind {
        case .postgres:
            return try await database.withConnection { db in
                try await db.raw("SELECT pg_advisory_lock(\(bind: Self.advisoryLockKey))").run()
                do {
                    try await db.raw(SQLQueryString(createTable)).run()
                    let applied = try await self.applyPending(services, on: db, kind: kind)
                    try await db.raw("SELECT pg_advisory_unlock(\(bind: Self.advisoryLockKey))").run()
                    return applied
                } catch {
                    _ = try? await db.raw("SELECT pg_advisory_unlock(\(bind: Self.advisoryLockKey))").run()
                    throw error
                }
            }
        case .sqlite:
            return try await database.exclusive {
                try await database.sql.raw(SQLQueryString(createTable)).run()
                return try await database.withConnection { db in
                    try await self.applyPending(services, on: db, kind: kind)
                }
            }
        }
    }

    private func applyPending(_ services: [ServiceMigrations], on db: any SQLDatabase, kind: DatabaseKind) async throws -> [String] {
        var applied: [String] = []
        for service in services {
            for migration in service.migrations.sorted(by: { $0.version < $1.version }) {
                let begin: SQLQueryString = kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
                try await db.raw(begin).run()
                do {
                    let done = try await db.raw("""
                        SELECT version FROM schema_migrations
                        WHERE service = \(bind: service.service) AND version = \(bind: migration.version)
                        """).first()
                    if done == nil {
                        for statement in migration.statements(kind) {
                            try await db.raw(SQLQueryString(statement)).run()
                        }
                        try await db.raw("""
                            INSERT INTO schema_migrations (service, version, name, applied_at)
                            VALUES (\(bind: service.service), \(bind: migration.version), \(bind: migration.name),
                                    \(bind: Date().epochMilliseconds))
                            """).run()
                        applied.append("\(service.service)@\(migration.version)")
                        logger.info("migration applied", metadata: [
                            "service": "\(service.service)", "version": "\(migration.version)", "name": "\(migration.name)",
                        ])
                    }
                    try await db.raw("COMMIT").run()
                } catch {
                    _ = try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
        return applied
    }
}
