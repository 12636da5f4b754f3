import Platform

/// The files service's table: metadata of every upload; bytes live in the blob store.
enum FileMigrations {
    static let all = ServiceMigrations(service: "files", migrations: [
        Migration(version: 1, name: "files") { _ in [
            """
            CREATE TABLE files (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                uploader_id TEXT NOT NULL,
                filename TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                ticket_id TEXT,
                comment_id TEXT,
                attached_public BOOLEAN,
                deleted_at BIGINT)
            """,
            "CREATE INDEX files_by_sha ON files (sha256)",
            "CREATE INDEX files_by_comment ON files (workspace_id, comment_id)",
            "CREATE INDEX files_unattached ON files (comment_id, created_at)",
        ] },
    ])
}
