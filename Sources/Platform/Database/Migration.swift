/// One versioned schema change of one service. `statements` may differ per dialect; each runs in order.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: @Sendable (DatabaseKind) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (DatabaseKind) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// The migrations of one service, applied in version order and recorded under the service's name.
public struct ServiceMigrations: Sendable {
    public let service: String
    public let migrations: [Migration]

    public init(service: String, migrations: [Migration]) {
        self.service = service
        self.migrations = migrations
    }
}

extension DatabaseKind {
    /// An auto-incrementing 64-bit primary key column.
    public var autoIncrementPrimaryKey: String {
        switch self {
        case .sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: "BIGSERIAL PRIMARY KEY"
        }
    }
}
