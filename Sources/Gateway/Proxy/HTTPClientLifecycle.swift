import AsyncHTTPClient
import ServiceLifecycle

/// Shuts the proxy's HTTP client down when the process stops, after the server has finished its requests
/// (a client dropped without shutdown traps).
struct HTTPClientLifecycle: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try? await client.shutdown()
    }
}
