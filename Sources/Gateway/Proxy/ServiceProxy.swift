import AsyncHTTPClient
import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Platform

/// The gateway's forwarding: a request whose path belongs to a service this process does not serve goes to one
/// of that service's replicas. Bodies stream through in both directions without being buffered, except small
/// bodies of requests that are safe to send twice (GET, HEAD, PUT, DELETE, OPTIONS), which are kept so a failed
/// attempt can be retried on another replica. (An `Idempotency-Key` is not enough: only some routes honour it.)
struct ServiceProxy: RouterMiddleware {
    typealias Context = AppRequestContext

    struct Remote: Sendable {
        let routes: RouteTable
        let pool: UpstreamPool
    }

    let remotes: [Remote]
    /// Routes served in this process win over forwarding.
    let local: RouteTable
    let client: HTTPClient
    /// Bodies up to this size of retryable requests are buffered for a retry.
    let retryBufferBytes: Int
    let maxAttempts = 3

    static let idempotentMethods: Set<HTTPRequest.Method> = [.get, .head, .put, .delete, .options]
    /// Connection-scoped headers a proxy must not forward (RFC 9110 §7.6.1), plus the ones it sets itself.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "traceparent", "x-request-id",
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "content-length",
    ]

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard local.methods(matching: path).isEmpty,
              let remote = remotes.first(where: { !$0.routes.methods(matching: path).isEmpty }) else {
            return try await next(request, context)
        }
        context.facts.route = remote.routes.pattern(matching: path)
        return try await forward(request, context: context, to: remote.pool)
    }

    func forward(_ request: Request, context: AppRequestContext, to pool: UpstreamPool) async throws -> Response {
        var request = request
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        // A safe request's body is kept (the body limit bounds it) so it can be sent again; any other body streams
        // straight to one replica.
        var buffered: ByteBuffer?
        if Self.idempotentMethods.contains(request.method) {
            buffered = try await request.collectBody(upTo: retryBufferBytes)
        }
        let retryable = buffered != nil
        var lastError: HelpdeskError = .upstreamUnavailable(pool.service)
        var attempts = 0
        let replicas = pool.rotation()
        for (index, upstream) in replicas.enumerated() {
            guard attempts < maxAttempts else { break }
            guard upstream.breaker.acquire() else { continue }
            attempts += 1
            let another = attempts < maxAttempts && index < replicas.count - 1
            var outgoing = HTTPClientRequest(url: upstream.baseURL + request.uri.description)
            outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
            outgoing.headers = headers(of: request, context: context)
            let streamed = ProxiedRequestBody(base: request.body)
            if let buffered {
                outgoing.body = .bytes(buffered)
            } else {
                outgoing.body = .stream(streamed, length: declaredLength.map { .known(Int64($0)) } ?? .unknown)
            }
            do {
                let response = try await client.execute(outgoing, timeout: .minutes(10), logger: nil)
                await streamed.stop()
                if [502, 503, 504].contains(response.status.code) {
                    upstream.breaker.failed()
                    // Another replica may do better; the last one's answer (its problem, its Retry-After) is passed on.
                    if retryable, another {
                        _ = try? await response.body.collect(upTo: 1 << 20)
                        continue
                    }
                } else {
                    upstream.breaker.succeeded()
                }
                return Self.response(from: response)
            } catch {
                await streamed.stop()
                // The client's own body failing (cut short, a wrong length) says nothing about the replica.
                if streamed.clientFailed {
                    upstream.breaker.released()
                    throw HelpdeskError.malformedBody("The request body ended before its declared length.")
                }
                upstream.breaker.failed()
                context.logger.warning("upstream request failed", metadata: [
                    "service": "\(pool.service)", "upstream": "\(upstream.baseURL)", "error": "\(error)",
                    "retryable": "\(retryable)",
                ])
                lastError = Self.isTimeout(error) ? .upstreamTimeout(pool.service) : .upstreamUnavailable(pool.service)
                // A streamed body that was (partly) read cannot be sent again. One never read, with a length, was
                // never acted on: the service cannot handle a request whose body it did not get.
                if !retryable, streamed.started || (declaredLength ?? 1) == 0 { throw lastError }
            }
        }
        throw lastError
    }

    func headers(of request: Request, context: AppRequestContext) -> HTTPHeaders {
        var out = HTTPHeaders()
        // The HTTP/1 server has already dropped `Connection` and what it names; the rest of the list goes here.
        for field in request.headers {
            if Self.hopByHop.contains(field.name.canonicalName) { continue }
            out.add(name: field.name.rawName, value: field.value)
        }
        out.add(name: "X-Request-Id", value: context.requestID)
        if let trace = context.trace { out.add(name: "traceparent", value: trace.headerValue) }
        let forwardedFor = [request.headers[HTTPField.Name("X-Forwarded-For")!], context.clientAddress].compactMap { $0 }
        if !forwardedFor.isEmpty { out.add(name: "X-Forwarded-For", value: forwardedFor.joined(separator: ", ")) }
        out.add(name: "X-Forwarded-Proto", value: request.head.scheme ?? "http")
        if let host = request.head.authority { out.add(name: "X-Forwarded-Host", value: host) }
        return out
    }

    static func response(from upstream: HTTPClientResponse) -> Response {
        var fields = HTTPFields()
        for header in upstream.headers {
            let lower = header.name.lowercased()
            if lower == "connection" || lower == "keep-alive" || lower == "transfer-encoding" || lower == "server" { continue }
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase)
        return Response(status: status, headers: fields, body: ResponseBody(asyncSequence: upstream.body))
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        }
        return false
    }
}

/// The client's request body as the HTTP client reads it, with two extras: it knows whether reading began (so a
/// failed attempt whose body nobody read can go to another replica), and `stop()` ends a read still waiting for
/// the client. The server reads what is left of a body after the response from the same connection, and two
/// readers waiting at once is a crash: when a replica answers before taking the whole body (413, 401), the
/// proxy stops its read before handing the answer back.
final class ProxiedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    final class IteratorBox: @unchecked Sendable {
        // Only one read runs at a time: `next()` awaits each before the next starts.
        var iterator: RequestBody.AsyncIterator
        init(_ iterator: RequestBody.AsyncIterator) { self.iterator = iterator }
    }

    struct State {
        var box: IteratorBox?
        var reading: Task<ByteBuffer?, any Error>?
        var started = false
        var stopped = false
        var clientFailed = false
    }

    let base: RequestBody
    private let state = NIOLockedValueBox(State())

    init(base: RequestBody) { self.base = base }

    var started: Bool { state.withLockedValue { $0.started } }
    /// Whether reading the client's body failed (it was cut short, or shorter than it said).
    var clientFailed: Bool { state.withLockedValue { $0.clientFailed } }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: ProxiedRequestBody
        func next() async throws -> ByteBuffer? { try await body.read() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }

    func read() async throws -> ByteBuffer? {
        let task: Task<ByteBuffer?, any Error>? = state.withLockedValue { state in
            if state.stopped { return nil }
            state.started = true
            let box = state.box ?? IteratorBox(base.makeAsyncIterator())
            state.box = box
            let task = Task { try await box.iterator.next() }
            state.reading = task
            return task
        }
        guard let task else { return nil }
        do {
            return try await task.value
        } catch {
            state.withLockedValue { if !$0.stopped { $0.clientFailed = true } }
            throw error
        }
    }

    /// Ends a read in progress and refuses further ones; returns once no read is waiting.
    func stop() async {
        let task = state.withLockedValue { state in
            state.stopped = true
            return state.reading
        }
        task?.cancel()
        _ = await task?.result
    }
}
