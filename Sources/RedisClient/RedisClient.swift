import Foundation
import NIOCore
import NIOPosix

/// Where and how to connect: parsed from `redis://[user:password@]host[:port][/db][?protocol=3]`.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    public var protocolVersion: Int
    public var connectTimeout: TimeAmount = .seconds(3)
    public var commandTimeout: TimeAmount = .seconds(5)
    public var maxConnections: Int = 16

    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "redis" else {
            throw RedisError.invalidURL("expected redis://host:port[/db]")
        }
        guard let host = components.host, !host.isEmpty else { throw RedisError.invalidURL("missing host") }
        self.host = host
        port = components.port ?? 6379
        let user = components.user?.removingPercentEncoding
        username = user?.isEmpty == false ? user : nil
        password = components.password?.removingPercentEncoding
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.isEmpty {
            database = 0
        } else if let db = Int(path), db >= 0 {
            database = db
        } else {
            throw RedisError.invalidURL("database must be a number, got \(path)")
        }
        let proto = components.queryItems?.first { $0.name == "protocol" }?.value
        switch proto {
        case nil, "2": protocolVersion = 2
        case "3": protocolVersion = 3
        default: throw RedisError.invalidURL("protocol must be 2 or 3")
        }
    }
}

/// A pool of Redis connections. Connections that die are dropped and replaced on the next lease, so a Redis
/// restart costs the callers in flight one error each, not a stuck client.
public actor RedisClient {
    public nonisolated let configuration: RedisConfiguration
    let group: any EventLoopGroup
    private var idle: [RedisConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isShutdown = false

    public init(configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    public init(url: String) throws {
        self.init(configuration: try RedisConfiguration(url: url))
    }

    /// Runs `body` with a connection of its own (for blocking commands and multi-step work).
    public func withConnection<T: Sendable>(_ body: @Sendable (RedisConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Sends one command on a pooled connection.
    @discardableResult
    public func send(_ command: [RESPArgument], timeout: TimeAmount? = nil) async throws -> RESPValue {
        try await withConnection { try await $0.send(command, timeout: timeout) }
    }

    /// Sends several commands in one round trip.
    public func pipeline(_ commands: [[RESPArgument]]) async throws -> [RESPValue] {
        try await withConnection { try await $0.pipeline(commands) }
    }

    /// Closes every connection; later calls fail.
    public func shutdown() async {
        isShutdown = true
        let connections = idle
        idle.removeAll()
        for connection in connections { await connection.close() }
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }

    private func lease() async throws -> RedisConnection {
        while true {
            if isShutdown { throw RedisError.connectionClosed }
            while let connection = idle.popLast() {
                if connection.isActive { return connection }
                open -= 1
            }
            if open < configuration.maxConnections {
                open += 1
                do {
                    return try await RedisConnection.connect(configuration, group: group)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: RedisConnection) {
        if connection.isActive && !connection.hasFailed && !isShutdown {
            idle.append(connection)
        } else {
            open -= 1
            if connection.isActive { Task { await connection.close() } }
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
