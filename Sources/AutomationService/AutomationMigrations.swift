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
    ])
}
