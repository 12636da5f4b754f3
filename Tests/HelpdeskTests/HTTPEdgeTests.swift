import Foundation
import Testing

@Suite("HTTP edge: errors, limits, request ids, health")
struct HTTPEdgeTests {
    @Test("unknown routes are 404 and wrong methods 405 with Allow, both problem+json")
    func notFoundAndMethod() async throws {
        try await Harness.run { h in
            let missing = try await h.request(.get, "/api/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.code == "route_not_found")
            #expect(missing.header("Content-Type") == "application/problem+json")
            let wrong = try await h.request(.put, "/api/v1/auth/login")
            #expect(wrong.status == 405)
            #expect(wrong.code == "method_not_allowed")
            #expect(wrong.header("Allow") == "POST")
            let param = try await h.request(.post, "/api/v1/users/\(UUID().uuidString)")
            #expect(param.status == 405)
            #expect(param.header("Allow") == "DELETE, GET, HEAD, PATCH")
            // A literal segment hides the parameter route beside it, as the router does: only what answers is allowed.
            let token = try await h.admin().accessToken
            let hidden = try await h.request(.delete, "/api/v1/tickets/counts", token: token)
            #expect(hidden.status == 405 && hidden.header("Allow") == "GET, HEAD")
            #expect(try await h.request(.delete, "/api/v1/users/me", token: token).header("Allow") == "GET, HEAD, PATCH")
            // A body the parameter route would refuse is not judged against it: the literal path lacks the method.
            let order = try await h.request(.patch, "/api/v1/views/order", json: ["ids": [UUID().uuidString]], token: token)
            #expect(order.status == 405 && order.header("Allow") == "PUT")
        }
    }

    @Test("bodies over the limit are 413 and nothing is written")
    func bodyLimit() async throws {
        try await Harness.run(configure: { $0.maxBodyBytes = 2048 }) { h in
            let big = String(repeating: "a", count: 4096)
            let r = try await h.request(.post, "/api/v1/auth/register",
                                        json: ["email": "big@example.com", "password": "password-1", "name": big])
            #expect(r.status == 413)
            #expect(r.code == "body_too_large")
            #expect(try await h.request(.post, "/api/v1/auth/login",
                                        json: ["email": "big@example.com", "password": "password-1"]).status == 401)
        }
    }

    @Test("bad bodies: not JSON, not an object, wrong content type, wrong types, nulls, unknown fields")
    func badBodies() async throws {
        try await Harness.run { h in
            let notJSON = try await h.request(.post, "/api/v1/auth/login", raw: "email=a&password=b")
            #expect(notJSON.status == 400)
            let array = try await h.request(.post, "/api/v1/auth/login", raw: "[1,2]")
            #expect(array.status == 400)
            #expect(array.code == "malformed_request")
            let empty = try await h.request(.post, "/api/v1/auth/login", raw: "")
            #expect(empty.status == 400)
            let form = try await h.request(.post, "/api/v1/auth/login", headers: ["Content-Type": "text/plain"])
            #expect(form.status == 415)
            let types = try await h.request(.post, "/api/v1/auth/register",
                                            json: ["email": ["a"], "password": 12345678, "name": NSNull()])
            #expect(types.status == 422)
            #expect(Set(types.errorFields) == ["email", "password", "name"])
            let extra = try await h.request(.post, "/api/v1/auth/login",
                                            json: ["email": "a@example.com", "password": "x", "is_admin": true])
            #expect(extra.errorFields == ["is_admin"])
            let badID = try await h.request(.get, "/api/v1/users/not-a-uuid", token: try await h.customer("a@example.com").accessToken)
            #expect(badID.status == 404)
        }
    }

    @Test("X-Request-Id is echoed when sane and generated otherwise")
    func requestID() async throws {
        try await Harness.run { h in
            let given = try await h.request(.get, "/healthz", headers: ["X-Request-Id": "abc-123"])
            #expect(given.header("X-Request-Id") == "abc-123")
            let made = try await h.request(.get, "/healthz")
            #expect((made.header("X-Request-Id") ?? "").count == 36)
            let hostile = try await h.request(.get, "/healthz", headers: ["X-Request-Id": "a b\tc"])
            #expect(hostile.header("X-Request-Id") != "a b\tc")
            let problem = try await h.request(.get, "/api/v1/missing", headers: ["X-Request-Id": "trace-me"])
            #expect(problem["request_id"] == "trace-me")
        }
    }

    @Test("healthz and readyz answer while the database is up; readyz fails once it is closed")
    func health() async throws {
        try await Harness.run { h in
            #expect(try await h.request(.get, "/healthz").status == 200)
            let head = try await h.request(.head, "/healthz")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let ready = try await h.request(.get, "/readyz")
            #expect(ready.status == 200)
            #expect((ready.json["checks"] as? [String: String])?["database"] == "ok")
            await h.system.database.shutdown()
            let down = try await h.request(.get, "/readyz")
            if TestBackend.throughGateway {
                // The gateway answering has its own database; it reports the services' process as not ready.
                #expect(down.status == 200 && down["status"] == "degraded")
                #expect((down.json["checks"] as? [String: String])?["upstream:tickets"] == "0/1 ready")
            } else {
                #expect(down.status == 503)
                #expect(down.code == "unavailable")
            }
            #expect(try await h.request(.get, "/healthz").status == 200)
        }
    }
}
