import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// W3C Trace Context (`traceparent: 00-<trace id>-<parent span id>-<flags>`): the trace a request belongs to and
/// this hop's own span, so log lines of the gateway and the services it calls can be joined on `trace_id`.
public struct TraceContext: Sendable, Equatable {
    public let traceID: String
    /// This process's span for the request.
    public let spanID: String
    /// The caller's span, when the request came with a valid `traceparent`.
    public let parentSpanID: String?
    public let flags: String

    public static let header = HTTPField.Name("traceparent")!

    /// Continues the trace of a valid `traceparent`, or starts a new one (a malformed header is ignored, as the
    /// specification asks).
    public init(continuing header: String?) {
        if let header, let parsed = Self.parse(header) {
            traceID = parsed.traceID
            parentSpanID = parsed.spanID
            flags = parsed.flags
        } else {
            traceID = Self.randomHex(bytes: 16)
            parentSpanID = nil
            flags = "01"
        }
        spanID = Self.randomHex(bytes: 8)
    }

    /// The header to send downstream: same trace, this hop's span as the parent.
    public var headerValue: String { "00-\(traceID)-\(spanID)-\(flags)" }

    static func parse(_ value: String) -> (traceID: String, spanID: String, flags: String)? {
        let parts = value.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", isLowerHex(parts[0]),
              parts[1].count == 32, isLowerHex(parts[1]), parts[1].contains(where: { $0 != "0" }),
              parts[2].count == 16, isLowerHex(parts[2]), parts[2].contains(where: { $0 != "0" }),
              parts[3].count == 2, isLowerHex(parts[3]) else { return nil }
        // Version 00 has exactly four fields; later versions may append more.
        if parts[0] == "00", parts.count != 4 { return nil }
        return (String(parts[1]), String(parts[2]), String(parts[3]))
    }

    static func isLowerHex(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Seeded once from the system: trace ids must be unique, not secret, and three `getrandom` calls per request
    /// showed in profiles.
    static let generator: NIOLockedValueBox<SplitMix64> = {
        var system = SystemRandomNumberGenerator()
        return NIOLockedValueBox(SplitMix64(seed: system.next()))
    }()

    /// Lowercase hex of `bytes` random bytes, never all zero (invalid in a traceparent), without formatting calls:
    /// it runs for every request.
    static func randomHex(bytes: Int) -> String {
        while true {
            var out = [UInt8]()
            out.reserveCapacity(bytes * 2)
            var word: UInt64 = 0
            var zero = true
            for index in 0..<bytes {
                if index % 8 == 0 { word = generator.withLockedValue { $0.next() } }
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
                if byte != 0 { zero = false }
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
            if !zero { return String(decoding: out, as: UTF8.self) }
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Reads or starts the request's trace and puts `trace_id`/`span_id` on its logger.
public struct TraceContextMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let trace = TraceContext(continuing: request.headers[TraceContext.header])
        context.trace = trace
        context.logger[metadataKey: "trace_id"] = .string(trace.traceID)
        context.logger[metadataKey: "span_id"] = .string(trace.spanID)
        return try await next(request, context)
    }
}
