import AsyncHTTPClient
import HelpdeskCore
import Hummingbird
import Platform
import RedisClient

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer: the database, Redis, and for a
/// gateway at least one ready replica of every service it forwards to).
struct SystemRoutes {
    let database: Database
    let redis: RedisClient?
    let upstreams: [UpstreamPool]
    let client: HTTPClient?

    struct Status: Encodable {
        let status: String
        let checks: [String: String]?
    }

    func add(to routes: Routes) {
        routes.get("healthz") { _, _ in
            try .json(Status(status: "ok", checks: nil), headers: [.cacheControl: "no-store"])
        }
        routes.get("readyz") { _, _ in
            guard await database.isReachable() else {
                throw HelpdeskError.unavailable("The database is not reachable.")
            }
            var checks = ["database": "ok"]
            if let redis {
                guard (try? await redis.send(["PING"]))?.string == "PONG" else {
                    throw HelpdeskError.unavailable("Redis is not reachable.")
                }
                checks["redis"] = "ok"
            }
            if let client, !upstreams.isEmpty {
                var down: [String] = []
                for pool in upstreams {
                    let ready = await readyReplicas(of: pool, client: client)
                    checks["upstream:\(pool.service)"] = "\(ready)/\(pool.upstreams.count) ready"
                    if ready == 0 { down.append(pool.service) }
                }
                if !down.isEmpty {
                    throw HelpdeskError.unavailable("No replica is ready for: \(down.joined(separator: ", ")).")
                }
            }
            return try .json(Status(status: "ok", checks: checks), headers: [.cacheControl: "no-store"])
        }
    }

    /// Asks every replica's `/readyz` at once, two seconds at most.
    func readyReplicas(of pool: UpstreamPool, client: HTTPClient) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            for upstream in pool.upstreams {
                group.addTask {
                    let request = HTTPClientRequest(url: upstream.baseURL + "/readyz")
                    guard let response = try? await client.execute(request, timeout: .seconds(2)) else { return false }
                    _ = try? await response.body.collect(upTo: 64 * 1024)
                    return response.status.code == 200
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }
}
