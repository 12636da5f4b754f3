import Foundation
import NIOConcurrencyHelpers
import Platform

/// The replicas of one service the gateway forwards to, tried round-robin, each behind its own circuit breaker.
final class UpstreamPool: Sendable {
    struct Upstream: Sendable {
        /// `http://host:port`, without a trailing slash.
        let baseURL: String
        let breaker: CircuitBreaker
    }

    let service: String
    let upstreams: [Upstream]
    private let next = NIOLockedValueBox(0)

    init(service: String, urls: [String], breakerThreshold: Int = 5, breakerCooldown: Duration = .seconds(5)) {
        self.service = service
        upstreams = urls.map {
            Upstream(baseURL: $0.hasSuffix("/") ? String($0.dropLast()) : $0,
                     breaker: CircuitBreaker(threshold: breakerThreshold, cooldown: breakerCooldown))
        }
    }

    /// Every replica once, starting one further along on each call, so load spreads evenly.
    func rotation() -> [Upstream] {
        let start = next.withLockedValue { value in
            defer { value = (value + 1) % max(upstreams.count, 1) }
            return value
        }
        return (0..<upstreams.count).map { upstreams[(start + $0) % upstreams.count] }
    }
}

/// `--upstream tickets=http://127.0.0.1:9103,http://127.0.0.1:9203` (repeatable) or
/// `HELPDESK_UPSTREAMS="auth=http://auth:8080 tickets=http://t1:8080,http://t2:8080"`.
public enum UpstreamList {
    public static func parse(_ items: [String], known: [String]) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, known.contains(parts[0].lowercased()) else {
                throw ConfigurationError("upstream: \(item): expected <service>=<url>[,<url>…] with a service among \(known.joined(separator: ", "))")
            }
            let service = parts[0].lowercased()
            let urls = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !urls.isEmpty else { throw ConfigurationError("upstream: \(service): expected at least one URL") }
            for url in urls {
                guard let parsed = URLComponents(string: url), parsed.scheme == "http" || parsed.scheme == "https",
                      parsed.host?.isEmpty == false, parsed.path.isEmpty || parsed.path == "/", parsed.query == nil, parsed.fragment == nil,
                      parsed.user == nil, parsed.password == nil else {
                    throw ConfigurationError("upstream: \(service): \(url) is not an http(s)://host:port URL")
                }
            }
            out[service, default: []] += urls
        }
        return out
    }
}
