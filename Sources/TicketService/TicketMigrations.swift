import Platform

/// The tickets service's tables.
enum TicketMigrations {
    static let all = ServiceMigrations(service: "tickets", migrations: [
        Migration(version: 1, name: "tickets, comments, history, numbering, idempotency") { kind in [
            """
            CREATE TABLE tickets (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                number BIGINT NOT NULL,
                subject TEXT NOT NULL,
                status TEXT NOT NULL,
                status_rank INTEGER NOT NULL,
                priority TEXT NOT NULL,
                priority_rank INTEGER NOT NULL,
                type TEXT,
                requester_id TEXT NOT NULL,
                assignee_id TEXT,
                team_id TEXT,
                organization_id TEXT,
                tags TEXT NOT NULL,
                followers TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                solved_at BIGINT,
                version INTEGER NOT NULL,
                deleted_at BIGINT,
                UNIQUE (workspace_id, number))
            """,
            "CREATE INDEX tickets_by_created ON tickets (workspace_id, created_at, id)",
            "CREATE INDEX tickets_by_updated ON tickets (workspace_id, updated_at, id)",
            "CREATE INDEX tickets_by_requester ON tickets (workspace_id, requester_id)",
            "CREATE INDEX tickets_by_assignee ON tickets (workspace_id, assignee_id)",
            """
            CREATE TABLE ticket_tags (
                ticket_id TEXT NOT NULL, workspace_id TEXT NOT NULL, tag TEXT NOT NULL,
                PRIMARY KEY (ticket_id, tag))
            """,
            "CREATE INDEX ticket_tags_by_tag ON ticket_tags (workspace_id, tag)",
            """
            CREATE TABLE ticket_counters (workspace_id TEXT PRIMARY KEY, last_number BIGINT NOT NULL)
            """,
            """
            CREATE TABLE comments (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                ticket_id TEXT NOT NULL,
                author_id TEXT NOT NULL,
                body TEXT NOT NULL,
                is_public BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX comments_by_ticket ON comments (workspace_id, ticket_id, id)",
            """
            CREATE TABLE ticket_events (
                seq \(kind.autoIncrementPrimaryKey),
                id TEXT NOT NULL UNIQUE,
                workspace_id TEXT NOT NULL,
                ticket_id TEXT NOT NULL,
                type TEXT NOT NULL,
                is_public BOOLEAN NOT NULL,
                envelope TEXT NOT NULL,
                occurred_at BIGINT NOT NULL)
            """,
            "CREATE INDEX ticket_events_by_ticket ON ticket_events (workspace_id, ticket_id, seq)",
            """
            CREATE TABLE idempotency_keys (
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, user_id, scope, idempotency_key))
            """,
        ] },
        Migration(version: 2, name: "custom ticket fields") { _ in [
            """
            CREATE TABLE ticket_fields (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                field_key TEXT NOT NULL,
                title TEXT NOT NULL,
                kind TEXT NOT NULL,
                options TEXT NOT NULL,
                pattern TEXT,
                required_on_solve BOOLEAN NOT NULL,
                customer_editable BOOLEAN NOT NULL,
                active BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, field_key))
            """,
            "ALTER TABLE tickets ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}'",
        ] },
        Migration(version: 3, name: "full-text search") { kind in
            switch kind {
            case .sqlite: [
                """
                CREATE VIRTUAL TABLE ticket_search USING fts5(
                    body, ticket_id UNINDEXED, workspace_id UNINDEXED, scope UNINDEXED,
                    tokenize = 'unicode61 remove_diacritics 2')
                """,
                """
                INSERT INTO ticket_search (rowid, body, ticket_id, workspace_id, scope)
                SELECT t.rowid * 2, t.subject || ' ' || COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
                       WHERE c.ticket_id = t.id AND c.is_public = 1), ''), t.id, t.workspace_id, 'public'
                FROM tickets t WHERE t.deleted_at IS NULL
                """,
                """
                INSERT INTO ticket_search (rowid, body, ticket_id, workspace_id, scope)
                SELECT t.rowid * 2 + 1, t.subject || ' ' || COALESCE((SELECT group_concat(c.body, ' ') FROM comments c
                       WHERE c.ticket_id = t.id), ''), t.id, t.workspace_id, 'all'
                FROM tickets t WHERE t.deleted_at IS NULL
                """,
            ]
            case .postgres: [
                """
                CREATE TABLE ticket_search (
                    ticket_id TEXT NOT NULL,
                    workspace_id TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    body TEXT NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
                    PRIMARY KEY (ticket_id, scope))
                """,
                "CREATE INDEX ticket_search_tsv ON ticket_search USING GIN (tsv)",
                """
                INSERT INTO ticket_search (ticket_id, workspace_id, scope, body)
                SELECT t.id, t.workspace_id, s.scope, t.subject || ' ' || COALESCE((SELECT string_agg(c.body, ' ' ORDER BY c.id)
                       FROM comments c WHERE c.ticket_id = t.id AND (c.is_public OR s.scope = 'all')), '')
                FROM tickets t CROSS JOIN (VALUES ('public'), ('all')) AS s(scope) WHERE t.deleted_at IS NULL
                """,
            ]
            }
        },
        Migration(version: 4, name: "views and merges") { _ in [
            """
            CREATE TABLE ticket_views (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                title TEXT NOT NULL,
                filters TEXT NOT NULL,
                sort TEXT,
                shared BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX ticket_views_by_owner ON ticket_views (workspace_id, owner_id)",
            "ALTER TABLE tickets ADD COLUMN merged_into TEXT",
        ] },
        Migration(version: 5, name: "comment attachments") { _ in [
            "ALTER TABLE comments ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'",
        ] },
        Migration(version: 6, name: "channels of tickets and comments") { _ in [
            "ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'api'",
            "ALTER TABLE comments ADD COLUMN channel TEXT NOT NULL DEFAULT 'api'",
            "ALTER TABLE comments ADD COLUMN source_address TEXT",
            "ALTER TABLE comments ADD COLUMN source_message_id TEXT",
            "ALTER TABLE comments ADD COLUMN quoted_text TEXT",
        ] },
        // Every ticket read asks for the tickets merged into it; without this it scanned the workspace.
        Migration(version: 7, name: "index merged tickets") { _ in [
            "CREATE INDEX tickets_by_merged_into ON tickets (workspace_id, merged_into) WHERE merged_into IS NOT NULL",
        ] },
        // The list orders carry the columns views filter on, so a view skips non-matching tickets in the index
        // instead of reading each one's row: once tickets are updated out of creation order those rows sit on
        // pages all over the table (a view of pending urgent tickets read ~500 rows for 25).
        Migration(version: 8, name: "list indexes carry the view filters") { _ in [
            "DROP INDEX tickets_by_created",
            "DROP INDEX tickets_by_updated",
            "CREATE INDEX tickets_by_created ON tickets (workspace_id, created_at, id, status, priority, assignee_id, deleted_at)",
            "CREATE INDEX tickets_by_updated ON tickets (workspace_id, updated_at, id, status, priority, assignee_id, deleted_at)",
        ] },
        // PostgreSQL: one text index per scope, so a search reads only its scope's matches (the single index
        // returned both documents of every ticket and the heap visit threw half away).
        Migration(version: 9, name: "search index per scope") { kind in
            switch kind {
            case .sqlite: []
            case .postgres: [
                "CREATE INDEX ticket_search_tsv_all ON ticket_search USING GIN (tsv) WHERE scope = 'all'",
                "CREATE INDEX ticket_search_tsv_public ON ticket_search USING GIN (tsv) WHERE scope = 'public'",
                "DROP INDEX ticket_search_tsv",
            ]
            }
        },
        // PostgreSQL: ticket numbers come from a procedure that commits on its own, so the counter row is locked
        // for one statement instead of the whole creating transaction (see `TicketStore.reserveNumber`).
        Migration(version: 10, name: "ticket numbers in a transaction of their own") { kind in
            switch kind {
            case .sqlite: []
            case .postgres: [
                """
                CREATE PROCEDURE reserve_ticket_number(workspace TEXT, INOUT number BIGINT) LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM set_config('synchronous_commit', 'off', true);
                    INSERT INTO ticket_counters (workspace_id, last_number) VALUES (workspace, 1)
                    ON CONFLICT (workspace_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
                    RETURNING last_number INTO number;
                    COMMIT;
                END $$
                """,
            ]
            }
        },
        Migration(version: 11, name: "view columns, team views, each agent's order of views") { _ in [
            "ALTER TABLE ticket_views ADD COLUMN columns TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE ticket_views ADD COLUMN team_id TEXT",
            """
            CREATE TABLE ticket_view_order (
                workspace_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                view_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (workspace_id, user_id, view_id))
            """,
        ] },
        Migration(version: 12, name: "comments from unverified staff addresses") { kind in [
            "ALTER TABLE comments ADD COLUMN unverified_sender \(kind == .postgres ? "BOOLEAN NOT NULL DEFAULT FALSE" : "INTEGER NOT NULL DEFAULT 0")",
        ] },
        // The ticket's SLA as the automations service last published it (sla.* events): the snapshot shown in the
        // ticket JSON, and for list filters and order the earliest due time of its open targets (the largest
        // integer when nothing is due, so the order needs no NULL handling) and when the first of them is at risk.
        Migration(version: 13, name: "SLA copy on tickets") { _ in [
            "ALTER TABLE tickets ADD COLUMN sla TEXT",
            "ALTER TABLE tickets ADD COLUMN sla_version BIGINT",
            "ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT NOT NULL DEFAULT 9223372036854775807",
            "ALTER TABLE tickets ADD COLUMN sla_at_risk_at BIGINT",
            "CREATE INDEX tickets_by_sla_due ON tickets (workspace_id, sla_due_at, id)",
        ] },
    ])
}
