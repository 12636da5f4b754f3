import Platform

/// The channels service's tables.
enum ChannelMigrations {
    static let all = ServiceMigrations(service: "channels", migrations: [
        Migration(version: 1, name: "mailboxes and inbound messages") { kind in [
            """
            CREATE TABLE mailboxes (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                address TEXT NOT NULL,
                name TEXT NOT NULL,
                team_id TEXT,
                allow_new_senders \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                imap TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, address))
            """,
            """
            CREATE TABLE inbound_messages (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                mailbox_id TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                message_id TEXT,
                from_address TEXT,
                subject TEXT,
                status TEXT NOT NULL,
                action TEXT,
                reason TEXT,
                ticket_id TEXT,
                comment_id TEXT,
                quoted TEXT,
                error TEXT,
                raw TEXT,
                attempts INTEGER NOT NULL,
                received_at BIGINT NOT NULL,
                processed_at BIGINT,
                UNIQUE (mailbox_id, dedupe_key))
            """,
            "CREATE INDEX inbound_by_sender ON inbound_messages (workspace_id, from_address, action, received_at)",
            "CREATE INDEX inbound_failed ON inbound_messages (workspace_id, mailbox_id, status, id)",
        ] },
        // Every notified ticket event asks which mailbox a ticket's mail came through; this was a scan.
        Migration(version: 2, name: "index inbound mail by ticket") { _ in [
            "CREATE INDEX inbound_by_ticket ON inbound_messages (workspace_id, ticket_id)",
        ] },
        Migration(version: 3, name: "trusted authserv-id per mailbox") { _ in [
            "ALTER TABLE mailboxes ADD COLUMN trusted_authserv_id TEXT",
        ] },
    ])
}
