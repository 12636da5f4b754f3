import AsyncHTTPClient
import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import NIOCore
import Platform

/// Calls between services over HTTP: `POST /internal/v1/<service>/<call>` with a signed JSON body
/// `{"context": <the caller's EventContext>, "args": …}`, answered `{"result": …}` or with a problem whose code
/// is rethrown as the same `HelpdeskError`, so a remote client behaves like the local one.
enum InternalCalls {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    struct Envelope<Args: Codable & Sendable>: Codable, Sendable {
        let context: EventContext?
        let args: Args
    }

    struct Reply<Result: Codable & Sendable>: Codable, Sendable {
        let result: Result
    }

    struct ProblemBody: Decodable {
        let status: Int
        let code: String
        let title: String
        let detail: String?
        let errors: [FieldError]?
    }

    static let prefix = "/internal/v1"
}

/// One service's replicas as seen by another service: each call is signed, sent round-robin, and retried on
/// another replica when sending again is safe (a read, or a connection that was never made).
final class InternalClient: Sendable {
    let pool: UpstreamPool
    let http: HTTPClient
    let signature: ServiceSignature

    init(pool: UpstreamPool, http: HTTPClient, signature: ServiceSignature) {
        self.pool = pool
        self.http = http
        self.signature = signature
    }

    func call<Args: Codable & Sendable, Result: Codable & Sendable>(
        _ name: String, _ args: Args, returning: Result.Type = Result.self, idempotent: Bool
    ) async throws -> Result {
        let path = "\(InternalCalls.prefix)/\(pool.service)/\(name)"
        let body = Array(try InternalCalls.encoder.encode(InternalCalls.Envelope(context: EventContext.current, args: args)))
        for upstream in pool.rotation() {
            guard upstream.breaker.acquire() else { continue }
            var request = HTTPClientRequest(url: upstream.baseURL + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: ServiceSignature.header, value: signature.sign(path: path, body: body))
            if let id = EventContext.current?.requestID { request.headers.add(name: "X-Request-Id", value: id) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response: HTTPClientResponse
            let data: ByteBuffer
            do {
                response = try await http.execute(request, timeout: .seconds(30))
                data = try await response.body.collect(upTo: 64 << 20)
            } catch {
                upstream.breaker.failed()
                if idempotent || Self.neverSent(error) { continue }
                throw HelpdeskError.upstreamUnavailable(pool.service)
            }
            if [502, 503, 504].contains(response.status.code) {
                upstream.breaker.failed()
                if idempotent { continue }
            } else {
                upstream.breaker.succeeded()
            }
            if response.status.code == 200 {
                return try InternalCalls.decoder.decode(InternalCalls.Reply<Result>.self, from: Data(buffer: data)).result
            }
            guard let problem = try? InternalCalls.decoder.decode(InternalCalls.ProblemBody.self, from: Data(buffer: data)) else {
                throw HelpdeskError.upstreamUnavailable(pool.service)
            }
            throw HelpdeskError(status: problem.status, code: problem.code, title: problem.title, detail: problem.detail,
                                errors: problem.errors ?? [])
        }
        throw HelpdeskError.upstreamUnavailable(pool.service)
    }

    /// A refused or timed-out connection: the other side never saw the call.
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        return String(describing: error).contains("Connection refused")
    }
}

/// Where a service process answers other services' calls, under `/internal/v1/<service>/`.
struct InternalRoutes {
    let routes: Routes
    let signature: ServiceSignature
    static let signatureHeader = HTTPField.Name(ServiceSignature.header)!

    func on<Args: Codable & Sendable, Result: Codable & Sendable>(
        _ name: String, _ args: Args.Type, _ handler: @escaping @Sendable (Args) async throws -> Result
    ) {
        let signature = self.signature
        routes.post(name) { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            let bytes = Array(buffer.readableBytesView)
            guard signature.verify(request.headers[InternalRoutes.signatureHeader], path: request.uri.path, body: bytes) else {
                throw HelpdeskError.unauthenticated("Calls between services must carry a valid X-Helpdesk-Service signature.")
            }
            let envelope: InternalCalls.Envelope<Args>
            do {
                envelope = try InternalCalls.decoder.decode(InternalCalls.Envelope<Args>.self, from: Data(bytes))
            } catch {
                throw HelpdeskError.malformedBody("Not a call of \(name): \(error)")
            }
            let result = try await EventContext.$current.withValue(envelope.context ?? EventContext.current) {
                try await handler(envelope.args)
            }
            let reply = try InternalCalls.encoder.encode(InternalCalls.Reply(result: result))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply)))
        }
    }
}
