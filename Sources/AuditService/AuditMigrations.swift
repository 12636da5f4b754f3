import Platform

/// The audit service's tables. Records are only ever inserted (and pruned from the old end by retention).
enum AuditMigrations {
    static let all = ServiceMigrations(service: "audit", migrations: [
        Migration(version: 1, name: "hash-chained audit records, chain heads, checkpoints") { _ in [
            """
            CREATE TABLE audit_records (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                event_id TEXT UNIQUE,
                action TEXT NOT NULL,
                actor_id TEXT,
                actor_type TEXT NOT NULL,
                actor_role TEXT,
                subject_type TEXT NOT NULL,
                subject_id TEXT,
                ip TEXT,
                user_agent TEXT,
                via TEXT,
                request_id TEXT,
                occurred_at BIGINT NOT NULL,
                recorded_at BIGINT NOT NULL,
                data TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                UNIQUE (workspace_id, position))
            """,
            "CREATE INDEX audit_by_actor ON audit_records (workspace_id, actor_id, position)",
            "CREATE INDEX audit_by_subject ON audit_records (workspace_id, subject_type, subject_id, position)",
            "CREATE INDEX audit_by_action ON audit_records (workspace_id, action, position)",
            "CREATE INDEX audit_by_time ON audit_records (workspace_id, occurred_at)",
            """
            CREATE TABLE audit_chains (
                workspace_id TEXT PRIMARY KEY,
                last_position BIGINT NOT NULL,
                last_hash TEXT NOT NULL)
            """,
            """
            CREATE TABLE audit_checkpoints (
                workspace_id TEXT PRIMARY KEY,
                through_position BIGINT NOT NULL,
                through_hash TEXT NOT NULL,
                pruned_count BIGINT NOT NULL,
                pruned_at BIGINT NOT NULL)
            """,
        ] },
    ])
}
