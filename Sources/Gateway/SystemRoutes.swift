import HelpdeskCore
import Hummingbird
import Platform
import RedisClient

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer).
struct SystemRoutes {
    let database: Database
    let redis: RedisClient?

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
            return try .json(Status(status: "ok", checks: checks), headers: [.cacheControl: "no-store"])
        }
    }
}
