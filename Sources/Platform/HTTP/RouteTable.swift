import HTTPTypes
import NIOConcurrencyHelpers

/// Every route the application registered, so an unmatched request can be told 405 (path known, method not)
/// rather than 404, with the `Allow` header listing what the path accepts.
public final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(method: String, segments: [String])]>([])

    public init() {}

    func add(method: HTTPRequest.Method, path: String) {
        let segments = Self.segments(path)
        routes.withLockedValue { $0.append((method.rawValue, segments)) }
    }

    /// The methods registered for a path that matches `path`, sorted; empty when no route has this path.
    public func methods(matching path: String) -> [String] {
        let target = Self.segments(path)
        let candidates = routes.withLockedValue { routes in routes.filter { Self.matches($0.segments, target) } }
        // The router prefers a literal segment to a parameter wherever both match, whatever the method, so only the
        // most literal patterns answer this path (`/tickets/counts` hides `/tickets/{id}`).
        let best = candidates.map { Self.literalness($0.segments) }.max { $0.lexicographicallyPrecedes($1) }
        let found = candidates.filter { Self.literalness($0.segments) == best }.map(\.method)
        var all = Set(found)
        if all.contains("GET") { all.insert("HEAD") }
        return all.sorted()
    }

    /// The registered pattern that `path` matches, spelled the OpenAPI way (`/api/v1/tickets/{id}`): literal
    /// segments win over parameters, as in the router.
    public func pattern(matching path: String) -> String? {
        let target = Self.segments(path)
        let candidates = routes.withLockedValue { routes in routes.filter { Self.matches($0.segments, target) }.map(\.segments) }
        let best = candidates.max { a, b in
            zip(a, b).map { Self.isParameter($0.0) ? 0 : 1 }.lexicographicallyPrecedes(zip(a, b).map { Self.isParameter($0.1) ? 0 : 1 })
        }
        return best.map { "/" + $0.map { Self.isParameter($0) ? Self.openAPIParameter($0) : $0 }.joined(separator: "/") }
    }

    /// Every registered route as (method, OpenAPI-style path), for the document's completeness test.
    public var all: [(method: String, path: String)] {
        routes.withLockedValue { $0 }.map { route in
            (route.method, "/" + route.segments.map {
                Self.isParameter($0) ? Self.openAPIParameter($0) : $0
            }.joined(separator: "/"))
        }
    }

    /// `:id` or `{id}` → `{id}`.
    static func openAPIParameter(_ segment: String) -> String {
        "{" + segment.filter { $0 != ":" && $0 != "{" && $0 != "}" } + "}"
    }

    static func literalness(_ segments: [String]) -> [Int] { segments.map { isParameter($0) ? 0 : 1 } }

    static func isParameter(_ segment: String) -> Bool { segment.hasPrefix(":") || segment.hasPrefix("{") }

    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func matches(_ pattern: [String], _ path: [String]) -> Bool {
        guard pattern.count == path.count else { return false }
        return zip(pattern, path).allSatisfy { p, s in p.hasPrefix(":") || p.hasPrefix("{") || p == "*" || p == s }
    }
}
