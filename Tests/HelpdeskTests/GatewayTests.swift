import Foundation
@testable import Gateway
import HelpdeskCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Platform
import RedisClient
import Testing
import WebUI

@Suite("Gateway: rate limits, proxy, OpenAPI, metrics, trace context")
struct GatewayTests {
    @Test("rate limits: RateLimit headers on API responses; 429 with Retry-After past the bucket; sign-in stricter")
    func rateLimits() async throws {
        try await Harness.run(configure: {
            let prefix = $0.rateLimits.keyPrefix
            $0.rateLimits = try! RateLimitSettings.parse("user=5/60 anonymous=3/60 auth=3/60")
            $0.rateLimits.keyPrefix = prefix
            // Through the Redis script when the suite runs with Redis.
            $0.rateLimitsInRedis = true
        }) { h in
            // Anonymous: three calls, then refused; the headers count down.
            var remaining: [String] = []
            for _ in 0..<3 {
                let setup = try await h.request(.get, "/api/v1/setup")
                #expect(setup.status == 200)
                #expect(setup.header("RateLimit-Limit") == "3")
                remaining.append(setup.header("RateLimit-Remaining") ?? "")
            }
            #expect(remaining == ["2", "1", "0"])
            let refused = try await h.request(.get, "/api/v1/setup")
            #expect(refused.status == 429)
            #expect(refused.code == "rate_limited")
            #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(refused.header("RateLimit-Remaining") == "0")
            // Health checks and the UI are not API calls: never limited, no headers.
            let health = try await h.request(.get, "/healthz")
            #expect(health.status == 200 && health.header("RateLimit-Limit") == nil)

            // Sign-in has its own stricter bucket, refused even with the right password once it is empty.
            let admin = try await h.admin()
            #expect(try await h.request(.post, "/api/v1/auth/login", json: ["email": "admin@example.com", "password": "nope"]).status == 401)
            #expect(try await h.request(.post, "/api/v1/auth/login", json: ["email": "admin@example.com", "password": "nope"]).status == 401)
            let blocked = try await h.request(.post, "/api/v1/auth/login",
                                              json: ["email": "admin@example.com", "password": "admin-password"])
            #expect(blocked.status == 429 && blocked.code == "rate_limited")
            // Empty path segments reach the same route, so they draw from the same bucket.
            let sneaky = try await h.request(.post, "//api/v1/auth//login/",
                                             json: ["email": "admin@example.com", "password": "admin-password"])
            #expect(sneaky.status == 429)

            // A signed-in user has a bucket of their own, unaffected by the anonymous one being empty.
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(try await h.request(.get, "/api/v1/users/me", token: admin.accessToken).status) }
            #expect(statuses == [200, 200, 200, 200, 200, 429])
        }
    }

    @Test("token buckets refill with time: capacity, remaining, reset and retry-after are exact")
    func bucketArithmetic() async throws {
        let clock = NIOLockedValueBox(1000.0)
        let limiter = InMemoryRateLimiter(now: { clock.withLockedValue { $0 } })
        let policy = RateLimitPolicy(capacity: 10, period: 10)
        for expected in (0..<10).reversed() {
            let decision = try await limiter.take(key: "k", policy: policy)
            #expect(decision.allowed && decision.remaining == expected)
        }
        let denied = try await limiter.take(key: "k", policy: policy)
        #expect(!denied.allowed && denied.retryAfterSeconds == 1 && denied.resetSeconds == 10)
        clock.withLockedValue { $0 += 2.5 }
        #expect(try await limiter.take(key: "k", policy: policy).allowed)
        #expect(try await limiter.take(key: "k", policy: policy).allowed)
        #expect(try await !limiter.take(key: "k", policy: policy).allowed)
        #expect(try await limiter.take(key: "other", policy: policy).remaining == 9)
    }

    @Test("idle full buckets are forgotten past the size limit, each by its own period")
    func bucketPruning() async throws {
        let clock = NIOLockedValueBox(1000.0)
        let limiter = InMemoryRateLimiter(pruneAbove: 2, now: { clock.withLockedValue { $0 } })
        _ = try await limiter.take(key: "hour", policy: RateLimitPolicy(capacity: 10, period: 3600))
        _ = try await limiter.take(key: "minute-a", policy: RateLimitPolicy(capacity: 10, period: 60))
        _ = try await limiter.take(key: "minute-b", policy: RateLimitPolicy(capacity: 10, period: 60))
        clock.withLockedValue { $0 += 120 }
        _ = try await limiter.take(key: "minute-c", policy: RateLimitPolicy(capacity: 10, period: 60))
        #expect(limiter.bucketCount == 2, "the minute buckets are full again and dropped; the hour one is not")
        let hour = try await limiter.take(key: "hour", policy: RateLimitPolicy(capacity: 10, period: 3600))
        #expect(hour.remaining == 8, "the hour bucket kept its count")
    }

    @Test("a circuit opens after repeated failures, lets one trial through after the cooldown, and a stuck trial expires")
    func circuitBreaker() {
        let breaker = CircuitBreaker(threshold: 2, cooldown: .seconds(5), trialTimeout: .seconds(10))
        let t0 = ContinuousClock.now
        #expect(breaker.acquire(now: t0))
        breaker.failed(now: t0)
        #expect(breaker.state(now: t0) == .closed)
        breaker.failed(now: t0)
        #expect(breaker.state(now: t0) == .open && !breaker.acquire(now: t0 + .seconds(4)))
        #expect(breaker.acquire(now: t0 + .seconds(6)), "the trial")
        #expect(!breaker.acquire(now: t0 + .seconds(7)), "one trial at a time")
        #expect(breaker.acquire(now: t0 + .seconds(17)), "a trial never reported stops blocking")
        breaker.failed(now: t0 + .seconds(17))
        #expect(!breaker.acquire(now: t0 + .seconds(18)), "a failed trial opens it again")
        #expect(breaker.acquire(now: t0 + .seconds(23)))
        breaker.succeeded()
        #expect(breaker.state() == .closed && breaker.acquire() && breaker.acquire())
    }

    @Test("two limiters sharing a store never accept more than the bucket holds, however the calls interleave")
    func sharedBucketHolds() async throws {
        let policy = RateLimitPolicy(capacity: 50, period: 3600)
        let limiters: [any RateLimiter]
        var clients: [RedisClient] = []
        if let url = TestBackend.redisURL {
            // Two gateway replicas: separate connections, one Redis, atomic Lua.
            clients = [try RedisClient(url: url), try RedisClient(url: url)]
            let prefix = "test:\(UUID().uuidString):"
            limiters = clients.map { RedisRateLimiter(redis: $0, prefix: prefix) }
        } else {
            // Without Redis there is one store in one process: its lock must hold under concurrent calls.
            let shared = InMemoryRateLimiter()
            limiters = [shared, shared]
        }
        let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<200 {
                group.addTask { try await limiters[i % 2].take(key: "burst", policy: policy).allowed }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        for client in clients { await client.shutdown() }
        #expect(accepted == 50)
    }

    @Test("the gateway forwards to replicas: a dead one is skipped, safe and unread requests retried, its breaker opened")
    func proxyFailover() async throws {
        try await Harness.run { h in
            let logger = Logger(label: "test")
            let (port, upstream) = await serveLive(h.system.buildRouter(), logger: logger)
            defer { upstream.cancel() }
            let dead = "http://127.0.0.1:\(try deadPort())"
            var config = h.system.configuration
            config.services = Set(ServiceRegistry.allRoles).subtracting([ServiceRegistry.tickets])
            config.upstreams = [ServiceRegistry.tickets: [dead, "http://127.0.0.1:\(port)"]]
            let gateway = try await HelpdeskSystem.make(configuration: config, logger: logger, mailer: MemoryMailer(),
                                                        mailTransport: MemoryMailTransport(), signingKey: h.signingKey)
            defer { Task { await gateway.shutdown() } }
            try await Application(router: gateway.buildRouter(), logger: logger).test(.router) { client in
                let g = Harness(system: gateway, mailer: h.mailer, outbox: h.outbox, clock: h.clock, client: client,
                                signingKey: h.signingKey)
                let admin = try await g.admin()
                // A POST without an idempotency key may only be retried when no replica read its body.
                var numbers: [Int] = []
                for i in 0..<6 {
                    let created = try await g.request(.post, "/api/v1/tickets", json: [
                        "subject": "Printer \(i)", "description": "It jams.", "requester_id": admin.userID,
                    ], token: admin.accessToken)
                    #expect(created.status == 201, "create \(i): \(created.text)")
                    numbers.append(created.json["number"] as? Int ?? 0)
                }
                for number in numbers {
                    let read = try await g.request(.get, "/api/v1/tickets/\(number)", token: admin.accessToken)
                    #expect(read.status == 200 && read.json["number"] as? Int == number)
                }
                let ready = try await g.request(.get, "/readyz")
                #expect(ready.status == 200)
                #expect((ready.json["checks"] as? [String: String])?["upstream:tickets"] == "1/2 ready")
                let metrics = try await g.request(.get, "/metrics").text
                #expect(metrics.contains("helpdesk_upstream_circuit_open{service=\"tickets\",upstream=\"\(dead)\"} 1"))
                #expect(metrics.contains("helpdesk_http_requests_total{route=\"/api/v1/tickets/{id}\",method=\"GET\",status=\"200\"} 6"))
                #expect(metrics.contains("helpdesk_http_request_duration_seconds_bucket{route=\"/api/v1/tickets/{id}\",method=\"GET\",le=\"+Inf\"} 6"))
                // Nothing runs between requests: no connection is held, and the pool's size is reported.
                #expect(metrics.contains("helpdesk_database_connections_in_use 0\n"))
                #expect(metrics.range(of: #"helpdesk_database_connections_max [1-9][0-9]*\n"#, options: .regularExpression) != nil)
            }
            // With no replica alive the gateway says so, and is not ready.
            var lonely = config
            lonely.upstreams = [ServiceRegistry.tickets: [dead]]
            let stranded = try await HelpdeskSystem.make(configuration: lonely, logger: logger, mailer: MemoryMailer(),
                                                         mailTransport: MemoryMailTransport(), signingKey: h.signingKey)
            defer { Task { await stranded.shutdown() } }
            try await Application(router: stranded.buildRouter(), logger: logger).test(.router) { client in
                let response = try await client.execute(uri: "/api/v1/tickets", method: .get)
                #expect(response.status.code == 502)
                #expect(String(buffer: response.body).contains("upstream_unavailable"))
                // Not ready for tickets, yet still ready: one service down must not pull every gateway out.
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status.code == 200)
                #expect(String(buffer: ready.body).contains(#""status":"degraded""#))
                #expect(String(buffer: ready.body).contains(#""upstream:tickets":"0\/1 ready""#) ||
                        String(buffer: ready.body).contains(#""upstream:tickets":"0/1 ready""#))
            }
        }
    }

    @Test("forwarded requests carry the trace, request id and client; hop-by-hop headers stay; bodies stream both ways")
    func proxyHeadersAndStreaming() async throws {
        try await Harness.run { h in
            let logger = Logger(label: "test")
            let seen = NIOLockedValueBox<[String: String]>([:])
            let stub = Router()
            // Stands in for the files service (uploads may be large): records what reached it, counts a streamed body, streams 3 MiB back.
            stub.post("/api/v1/files") { request, _ -> Response in
                seen.withLockedValue { box in for field in request.headers { box[field.name.canonicalName] = field.value } }
                var bytes = 0
                for try await chunk in request.body { bytes += chunk.readableBytes }
                seen.withLockedValue { $0["received-bytes"] = String(bytes) }
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 16)
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                                body: ResponseBody { writer in
                                    for _ in 0..<48 { try await writer.write(chunk) }
                                    try await writer.finish(nil)
                                })
            }
            let (port, upstream) = await serveLive(stub, logger: logger)
            defer { upstream.cancel() }
            var config = h.system.configuration
            config.services = Set(ServiceRegistry.allRoles).subtracting([ServiceRegistry.files])
            config.upstreams = [ServiceRegistry.files: ["http://127.0.0.1:\(port)"]]
            let gateway = try await HelpdeskSystem.make(configuration: config, logger: logger, mailer: MemoryMailer(),
                                                        mailTransport: MemoryMailTransport(), signingKey: h.signingKey)
            defer { Task { await gateway.shutdown() } }
            try await Application(router: gateway.buildRouter(), logger: logger).test(.live) { client in
                let payload = ByteBuffer(repeating: 7, count: 5 << 20)
                let traceID = "0af7651916cd43dd8448eb211c80319c"
                let response = try await client.execute(uri: "/api/v1/files?filename=big.bin", method: .post, headers: [
                    .contentType: "application/octet-stream", .contentLength: String(payload.readableBytes),
                    HTTPField.Name("traceparent")!: "00-\(traceID)-b7ad6b7169203331-01",
                    HTTPField.Name("X-Request-Id")!: "req-42", .proxyAuthorization: "Basic c2VjcmV0",
                    HTTPField.Name("X-Custom")!: "kept",
                ], body: payload)
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 48 << 16)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "req-42")
            }
            let headers = seen.withLockedValue { $0 }
            #expect(headers["received-bytes"] == String(5 << 20))
            let parts = (headers["traceparent"] ?? "").split(separator: "-")
            #expect(parts.count == 4 && parts[1] == "0af7651916cd43dd8448eb211c80319c" && parts[2] != "b7ad6b7169203331")
            #expect(headers["x-request-id"] == "req-42")
            #expect(headers["x-forwarded-for"] == "127.0.0.1")
            #expect(headers["x-custom"] == "kept")
            #expect(headers["proxy-authorization"] == nil)
        }
    }

    @Test("the OpenAPI document names every registered route and no other; it and the /docs page are served")
    func openAPICoversRoutes() async throws {
        try await Harness.run { h in
            // Every route a process can have: all services and the gateway's own (the harness's system may be a
            // services-only process when the suite runs through a gateway).
            var config = h.system.configuration
            config.services = Set(ServiceRegistry.allRoles)
            config.upstreams = [:]
            let everything = try await HelpdeskSystem.make(configuration: config, logger: Logger(label: "test"),
                                                           mailer: MemoryMailer(), mailTransport: MemoryMailTransport(),
                                                           signingKey: h.signingKey)
            defer { Task { await everything.shutdown() } }
            let table = RouteTable()
            _ = everything.buildRouter(table: table)
            let registered = Set(table.all.map { "\($0.method) \($0.path)" })
            let data = try Data(contentsOf: WebUIResources.openAPIDocument)
            let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(root["openapi"] as? String == "3.1.0")
            let paths = try #require(root["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, item) in paths {
                for method in item.keys where OpenAPIDocument.methods.contains(method) { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(registered.count > 80)
            #expect(registered.subtracting(documented).sorted() == [], "registered routes missing from the document")
            #expect(documented.subtracting(registered).sorted() == [], "documented routes that do not exist")
            // Every operation is named, and the document compiles into validators (every $ref resolves).
            for (path, item) in paths {
                for (method, operation) in item where OpenAPIDocument.methods.contains(method) {
                    #expect((operation as? [String: Any])?["operationId"] is String, "\(method) \(path) has no operationId")
                }
            }
            let document = try OpenAPIDocument(data: data)
            #expect(document.operations.count == documented.count)

            let served = try await h.request(.get, "/api/v1/openapi.json")
            #expect(served.status == 200 && served.json["openapi"] as? String == "3.1.0")
            let docs = try await h.request(.get, "/docs")
            #expect(docs.status == 200 && docs.header("Content-Type") == "text/html; charset=utf-8")
            #expect(docs.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        }
    }

    @Test("the schema subset: types, nullability, enums, lengths, ranges, items, formats, required and unknown fields")
    func schemaValidation() throws {
        let components: [String: JSONValue] = [
            "Tag": .object(["type": .string("string"), "minLength": .number(1), "maxLength": .number(5)]),
        ]
        let schema: JSONValue = .object([
            "type": .string("object"), "additionalProperties": .bool(false), "required": .array([.string("subject")]),
            "properties": .object([
                "subject": .object(["type": .string("string"), "minLength": .number(1), "maxLength": .number(10)]),
                "priority": .object(["type": .string("string"), "enum": .array([.string("low"), .string("high")])]),
                "assignee_id": .object(["type": .array([.string("string"), .string("null")]), "format": .string("uuid")]),
                "limit": .object(["type": .string("integer"), "minimum": .number(1), "maximum": .number(100)]),
                "tags": .object(["type": .string("array"), "maxItems": .number(2),
                                 "items": .object(["$ref": .string("#/components/schemas/Tag")])]),
                "custom_fields": .object(["type": .string("object"), "additionalProperties": .bool(true)]),
            ]),
        ])
        var cache: [String: JSONSchema] = [:]
        let compiled = try JSONSchema.compile(schema, components: components, cache: &cache)
        func errors(_ body: String) throws -> [String] {
            var found: [FieldError] = []
            compiled.validate(try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)), at: "", into: &found)
            return found.map { "\($0.field): \($0.message)" }
        }
        #expect(try errors(#"{"subject":"Printer","priority":"low","assignee_id":null,"limit":5,"tags":["a"],"custom_fields":{"x":1}}"#) == [])
        #expect(try errors(#"{"subject":"Printer","assignee_id":"0196a2b4-8a5e-7a1c-9d2e-3f4a5b6c7d8e"}"#) == [])
        #expect(try errors(#"{"priority":"urgent","limit":1.5,"bogus":true}"#) == [
            "subject: is required", "bogus: is not a known field", "limit: must be an integer", "priority: must be one of: low, high",
        ])
        #expect(try errors(#"{"subject":"","limit":0,"assignee_id":"me","tags":["","toolong","c"]}"#) == [
            "assignee_id: must be a UUID", "limit: must be at least 1", "subject: must not be empty",
            "tags: must have at most 2 items", "tags[0]: must not be empty", "tags[1]: must be at most 5 characters",
        ])
        #expect(try errors(#"{"subject":5,"tags":"a","custom_fields":[]}"#) == [
            "custom_fields: must be an object", "subject: must be a string", "tags: must be an array",
        ])
        // Lengths are counted in code points, as JSON Schema and every client checking the document count them:
        // five "é" written as e + combining accent are ten, and six are too many, though they look like six letters.
        #expect(try errors(#"{"subject":"\#(String(repeating: "e\u{301}", count: 5))"}"#) == [])
        #expect(try errors(#"{"subject":"\#(String(repeating: "e\u{301}", count: 6))"}"#) == ["subject: must be at most 10 characters"])
        #expect(try errors(#"{"subject":"\#(String(repeating: "é", count: 10))"}"#) == [])
    }

    @Test("trace context: a valid traceparent is continued, a malformed one replaced")
    func traceContext() {
        let continued = TraceContext(continuing: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(continued.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(continued.parentSpanID == "00f067aa0ba902b7")
        #expect(continued.headerValue.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && continued.spanID != "00f067aa0ba902b7")
        for bad in ["", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"] {
            let fresh = TraceContext(continuing: bad)
            #expect(fresh.parentSpanID == nil && fresh.traceID.count == 32, "\(bad)")
        }
    }
}

/// A loopback port nothing listens on.
func deadPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
