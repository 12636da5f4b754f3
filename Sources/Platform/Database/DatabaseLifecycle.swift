import ServiceLifecycle

/// Closes the database when the process shuts down, after the HTTP server has finished its requests
/// (services stop in reverse order of start, and this one starts before the server).
public struct DatabaseLifecycle: Service {
    let database: Database

    public init(database: Database) { self.database = database }

    public func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}
