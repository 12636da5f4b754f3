import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Request counts by route, method and status, latency histograms by route, and requests in flight, rendered in
/// the Prometheus text format. Routes are the registered patterns (`/api/v1/tickets/{id}`), never raw paths, so
/// the number of series stays bounded.
public final class RequestMetrics: Sendable {
    /// Upper bounds in seconds.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct SeriesKey: Hashable {
        let route: String
        let method: String
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: RequestMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    struct State {
        var requests: [SeriesKey: [Int: Int]] = [:]
        var latency: [SeriesKey: Histogram] = [:]
        var inFlight = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    func started() { state.withLockedValue { $0.inFlight += 1 } }

    func finished(route: String, method: String, status: Int, seconds: Double) {
        let key = SeriesKey(route: route, method: method)
        state.withLockedValue { state in
            state.inFlight -= 1
            state.requests[key, default: [:]][status, default: 0] += 1
            var histogram = state.latency[key] ?? Histogram()
            if let index = Self.buckets.firstIndex(where: { seconds <= $0 }) { histogram.counts[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[key] = histogram
        }
    }

    /// The Prometheus text of every series.
    public func render() -> [String] {
        let snapshot = state.withLockedValue { $0 }
        var lines = ["# HELP helpdesk_http_requests_total HTTP requests by route, method and status.",
                     "# TYPE helpdesk_http_requests_total counter"]
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method) < ($1.route, $1.method) }
        for key in keys {
            for (status, count) in snapshot.requests[key, default: [:]].sorted(by: { $0.key < $1.key }) {
                lines.append("helpdesk_http_requests_total{\(Self.labels(key)),status=\"\(status)\"} \(count)")
            }
        }
        lines += ["# HELP helpdesk_http_request_duration_seconds Time to the response head, by route and method.",
                  "# TYPE helpdesk_http_request_duration_seconds histogram"]
        for key in keys {
            guard let histogram = snapshot.latency[key] else { continue }
            var cumulative = 0
            for (index, bound) in Self.buckets.enumerated() {
                cumulative += histogram.counts[index]
                lines.append("helpdesk_http_request_duration_seconds_bucket{\(Self.labels(key)),le=\"\(bound)\"} \(cumulative)")
            }
            lines.append("helpdesk_http_request_duration_seconds_bucket{\(Self.labels(key)),le=\"+Inf\"} \(histogram.count)")
            lines.append("helpdesk_http_request_duration_seconds_sum{\(Self.labels(key))} \(histogram.sum)")
            lines.append("helpdesk_http_request_duration_seconds_count{\(Self.labels(key))} \(histogram.count)")
        }
        lines += ["# HELP helpdesk_http_requests_in_flight Requests being handled now.",
                  "# TYPE helpdesk_http_requests_in_flight gauge",
                  "helpdesk_http_requests_in_flight \(snapshot.inFlight)"]
        return lines
    }

    static func labels(_ key: SeriesKey) -> String {
        "route=\"\(escape(key.route.contains(":") ? MetricsMiddleware.openAPIStyle(key.route) : key.route))\",method=\"\(escape(key.method))\""
    }

    /// Prometheus label escaping: backslash, quote and newline.
    public static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Counts every request into `RequestMetrics`, labelled by the route that handled it.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let metrics: RequestMetrics

    public init(metrics: RequestMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        metrics.started()
        let start = ContinuousClock.now
        let status: Int
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            record(request, context, status, start)
            return response
        } catch {
            status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status, start)
            throw error
        }
    }

    func record(_ request: Request, _ context: AppRequestContext, _ status: Int, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The router's spelling (`/tickets/:id`) is kept as is here and converted when rendering, off the hot path.
        let route = context.facts.route ?? context.endpointPath ?? "unmatched"
        // Any token is a method to the HTTP parser: only the standard ones get series of their own.
        let method = Self.standardMethods.contains(request.method) ? request.method.rawValue : "OTHER"
        metrics.finished(route: route, method: method, status: status, seconds: seconds)
    }

    static let standardMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    /// `/tickets/:id` → `/tickets/{id}`, the spelling of the OpenAPI document.
    static func openAPIStyle(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}
