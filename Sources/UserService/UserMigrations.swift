import Platform

/// The users service's tables: users, organizations, teams and team membership.
enum UserMigrations {
    static let all = ServiceMigrations(service: "users", migrations: [
        Migration(version: 1, name: "users, organizations, teams") { _ in [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                email TEXT NOT NULL,
                email_normalized TEXT NOT NULL,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                organization_id TEXT,
                locale TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, email_normalized))
            """,
            "CREATE INDEX users_by_role ON users (workspace_id, role, id)",
            "CREATE INDEX users_by_organization ON users (workspace_id, organization_id)",
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_normalized TEXT NOT NULL,
                domains TEXT NOT NULL,
                shared_tickets BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, name_normalized))
            """,
            """
            CREATE TABLE teams (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_normalized TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, name_normalized))
            """,
            """
            CREATE TABLE team_members (
                team_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                added_at BIGINT NOT NULL,
                PRIMARY KEY (team_id, user_id))
            """,
            "CREATE INDEX team_members_by_user ON team_members (workspace_id, user_id)",
        ] },
    ])
}
