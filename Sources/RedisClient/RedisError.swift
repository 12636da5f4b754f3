/// What can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis answered with an error reply (`ERR …`, `WRONGTYPE …`, `NOGROUP …`).
    case server(String)
    /// The server sent bytes that are not RESP.
    case protocolViolation(String)
    /// No reply within the command timeout; the connection was closed.
    case timeout
    /// The connection closed before the reply arrived.
    case connectionClosed
    /// The URL could not be understood.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis error: \(message)"
        case .protocolViolation(let message): "Redis protocol violation: \(message)"
        case .timeout: "Redis command timed out"
        case .connectionClosed: "Redis connection closed"
        case .invalidURL(let message): "invalid Redis URL: \(message)"
        }
    }

    /// The error reply's first word (`NOGROUP`, `BUSYGROUP`, `WRONGTYPE`).
    public var serverCode: String? {
        if case .server(let message) = self { return message.split(separator: " ").first.map(String.init) }
        return nil
    }
}
