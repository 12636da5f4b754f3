import HelpdeskCore
import Hummingbird
import Platform

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer).
struct SystemRoutes {
    let database: Database

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
            return try .json(Status(status: "ok", checks: ["database": "ok"]), headers: [.cacheControl: "no-store"])
        }
    }
}
