import Platform

/// The auth service's tables: credentials, sessions and their refresh tokens, login failures, reset tokens.
enum AuthMigrations {
    static let all = ServiceMigrations(service: "auth", migrations: [
        Migration(version: 1, name: "credentials, sessions, refresh tokens, login failures, password resets") { kind in [
            """
            CREATE TABLE credentials (
                user_id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                revoked_reason TEXT,
                user_agent TEXT,
                ip TEXT)
            """,
            "CREATE INDEX sessions_by_user ON sessions (workspace_id, user_id, id)",
            """
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT)
            """,
            "CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id)",
            """
            CREATE TABLE login_failures (
                id \(kind.autoIncrementPrimaryKey),
                workspace_id TEXT NOT NULL,
                email_normalized TEXT NOT NULL,
                occurred_at BIGINT NOT NULL)
            """,
            "CREATE INDEX login_failures_by_email ON login_failures (workspace_id, email_normalized, occurred_at)",
            """
            CREATE TABLE password_resets (
                token_hash TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT)
            """,
            "CREATE INDEX password_resets_by_user ON password_resets (workspace_id, user_id)",
        ] },
    ])
}
