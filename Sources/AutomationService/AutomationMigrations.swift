import Platform

/// The automations service's tables.
enum AutomationMigrations {
    static let all = ServiceMigrations(service: "automations", migrations: [
        Migration(version: 1, name: "business-hours schedules") { kind in [
            """
            CREATE TABLE business_schedules (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                name TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                intervals TEXT NOT NULL,
                holidays TEXT NOT NULL,
                is_default \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX business_schedules_by_workspace ON business_schedules (workspace_id, id)",
        ] },
        Migration(version: 2, name: "SLA policies") { kind in [
            """
            CREATE TABLE sla_policies (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                name TEXT NOT NULL,
                position INTEGER NOT NULL,
                conditions TEXT NOT NULL,
                targets TEXT NOT NULL,
                business_hours \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                pauses_resolution \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX sla_policies_by_workspace ON sla_policies (workspace_id, position)",
        ] },
        // A ticket's SLA as folded from the tickets' events (state: facts and timeline as JSON), and its targets
        // one row per metric so the breach scheduler and list filters find due times by index.
        Migration(version: 3, name: "ticket SLA state and targets") { kind in [
            """
            CREATE TABLE sla_tickets (
                ticket_id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                policy_id TEXT,
                state TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE sla_targets (
                ticket_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                due_at BIGINT,
                achieved_at BIGINT,
                breached_at BIGINT,
                paused \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                PRIMARY KEY (ticket_id, metric))
            """,
            "CREATE INDEX sla_targets_by_due ON sla_targets (workspace_id, due_at)",
        ] },
        // The breach scheduler. warn_at: from when a target is at risk; warned_at / breach_fired_at: when its
        // warning and breach were announced; warn_check_at / breach_check_at: when the scheduler must look at it
        // next (NULL once announced or when there is nothing to announce), so its scans read only what is pending.
        // `version` orders the snapshots the sla.* events carry.
        Migration(version: 4, name: "SLA warnings and announced breaches") { _ in [
            "ALTER TABLE sla_tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE sla_targets ADD COLUMN warn_at BIGINT",
            "ALTER TABLE sla_targets ADD COLUMN warned_at BIGINT",
            "ALTER TABLE sla_targets ADD COLUMN warn_check_at BIGINT",
            "ALTER TABLE sla_targets ADD COLUMN breach_fired_at BIGINT",
            "ALTER TABLE sla_targets ADD COLUMN breach_check_at BIGINT",
            "CREATE INDEX sla_targets_breach_pending ON sla_targets (breach_check_at) WHERE breach_check_at IS NOT NULL",
            "CREATE INDEX sla_targets_warning_pending ON sla_targets (warn_check_at) WHERE warn_check_at IS NOT NULL",
        ] },
        Migration(version: 5, name: "triggers") { kind in [
            """
            CREATE TABLE triggers (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                name TEXT NOT NULL,
                position INTEGER NOT NULL,
                active \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL,
                conditions TEXT NOT NULL,
                actions TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX triggers_by_workspace ON triggers (workspace_id, position)",
        ] },
        // One row per ticket event the triggers looked at: which fired and what they changed, which did not and why.
        // `event_id` is unique so a redelivered event is not run twice. `broken`: why a trigger stopped running (it
        // refers to a team, user or field that is gone), cleared when it is saved again.
        Migration(version: 6, name: "trigger runs") { kind in [
            """
            CREATE TABLE trigger_runs (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                ticket_id TEXT NOT NULL,
                event_id TEXT NOT NULL UNIQUE,
                event_type TEXT NOT NULL,
                kind TEXT NOT NULL,
                ran_at BIGINT NOT NULL,
                entries TEXT NOT NULL,
                stopped_too_deep \(kind == .postgres ? "BOOLEAN" : "INTEGER") NOT NULL)
            """,
            "CREATE INDEX trigger_runs_by_ticket ON trigger_runs (workspace_id, ticket_id, id)",
            "ALTER TABLE triggers ADD COLUMN broken TEXT",
        ] },
        // Bumped with every change to a workspace's triggers, so the runner re-reads them only when they changed.
        Migration(version: 7, name: "trigger revisions") { _ in [
            "CREATE TABLE trigger_revisions (workspace_id TEXT PRIMARY KEY, revision BIGINT NOT NULL)",
        ] },
        // Time-based automations: rules of kind `automation` beside the triggers; `sla_tickets` becomes the service's
        // read model of tickets, with the times the hourly pass narrows its scan by (NULL: a row from before, read whole);
        // a firing is kept while the automation's conditions hold for the ticket, so it acts once until they stop.
        Migration(version: 8, name: "time-based automations") { kind in [
            "ALTER TABLE triggers ADD COLUMN kind TEXT NOT NULL DEFAULT 'trigger'",
            "CREATE INDEX triggers_by_kind ON triggers (kind, workspace_id)",
            "ALTER TABLE sla_tickets ADD COLUMN live \(kind == .postgres ? "BOOLEAN" : "INTEGER")",
            "ALTER TABLE sla_tickets ADD COLUMN status TEXT",
            "ALTER TABLE sla_tickets ADD COLUMN created_at BIGINT",
            "ALTER TABLE sla_tickets ADD COLUMN touched_at BIGINT",
            "ALTER TABLE sla_tickets ADD COLUMN status_at BIGINT",
            "ALTER TABLE sla_tickets ADD COLUMN assigned_at BIGINT",
            "ALTER TABLE sla_tickets ADD COLUMN requester_replied_at BIGINT",
            "ALTER TABLE sla_tickets ADD COLUMN agent_replied_at BIGINT",
            "CREATE INDEX sla_tickets_by_workspace ON sla_tickets (workspace_id, ticket_id)",
            """
            CREATE TABLE automation_firings (
                automation_id TEXT NOT NULL,
                ticket_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                fired_at BIGINT NOT NULL,
                PRIMARY KEY (automation_id, ticket_id))
            """,
            "CREATE INDEX automation_firings_by_ticket ON automation_firings (workspace_id, ticket_id)",
            "CREATE TABLE automation_passes (id TEXT PRIMARY KEY, next_at BIGINT NOT NULL, started_at BIGINT)",
        ] },
    ])
}
