import Platform

/// The notifications service's tables.
enum NotificationMigrations {
    static let all = ServiceMigrations(service: "notifications", migrations: [
        Migration(version: 1, name: "inbox, deliveries, templates, preferences") { kind in [
            """
            CREATE TABLE notifications (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                ticket_id TEXT,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                read_at BIGINT,
                UNIQUE (event_id, user_id))
            """,
            "CREATE INDEX notifications_inbox ON notifications (workspace_id, user_id, id)",
            """
            CREATE TABLE notification_deliveries (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                channel TEXT NOT NULL,
                recipient TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at BIGINT,
                last_error TEXT,
                subject TEXT NOT NULL,
                message TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                sent_at BIGINT,
                UNIQUE (event_id, user_id, channel))
            """,
            "CREATE INDEX deliveries_due ON notification_deliveries (status, next_attempt_at)",
            "CREATE INDEX deliveries_by_workspace ON notification_deliveries (workspace_id, id)",
            """
            CREATE TABLE notification_templates (
                workspace_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                locale TEXT NOT NULL,
                subject TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by TEXT,
                PRIMARY KEY (workspace_id, kind, locale))
            """,
            """
            CREATE TABLE notification_preferences (
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                channel TEXT NOT NULL,
                enabled \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                PRIMARY KEY (workspace_id, user_id, kind, channel))
            """,
            """
            CREATE TABLE notification_settings (
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                locale TEXT,
                PRIMARY KEY (workspace_id, user_id))
            """,
        ] },
        // Unread counts are taken after every in-app notification; without this they read all of a user's rows.
        Migration(version: 2, name: "index unread notifications") { _ in [
            "CREATE INDEX notifications_unread ON notifications (workspace_id, user_id) WHERE read_at IS NULL",
        ] },
    ])
}
