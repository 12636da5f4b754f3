import AsyncHTTPClient
import HelpdeskCore
import Hummingbird
import Platform
import RedisClient

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer: the database and Redis). A gateway also
/// reports how many replicas of each service it forwards to are ready, as `degraded` rather than a failure: one
/// service being down must not take every gateway out of its load balancer, which would stop all the others too.
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
            var status = "ok"
            if let client, !upstreams.isEmpty {
                let ready = await readyReplicas(client: client)
                for pool in upstreams {
                    let count = ready[pool.service] ?? 0
                    checks["upstream:\(pool.service)"] = "\(count)/\(pool.upstreams.count) ready"
                    if count == 0 { status = "degraded" }
                }
            }
            return try .json(Status(status: status, checks: checks), headers: [.cacheControl: "no-store"])
        }
    }

    /// Asks every replica of every service at once, two seconds at most; ready replicas by service.
    func readyReplicas(client: HTTPClient) async -> [String: Int] {
        await withTaskGroup(of: (String, Bool).self) { group in
            for pool in upstreams {
                for upstream in pool.upstreams {
                    group.addTask {
                        let request = HTTPClientRequest(url: upstream.baseURL + "/readyz")
                        guard let response = try? await client.execute(request, timeout: .seconds(2)) else { return (pool.service, false) }
                        _ = try? await response.body.collect(upTo: 64 * 1024)
                        return (pool.service, response.status.code == 200)
                    }
                }
            }
            return await group.reduce(into: [:]) { counts, result in counts[result.0, default: 0] += result.1 ? 1 : 0 }
        }
    }
}
