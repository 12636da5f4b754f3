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
        let found = routes.withLockedValue { routes in
            routes.filter { Self.matches($0.segments, target) }.map(\.method)
        }
        var all = Set(found)
        if all.contains("GET") { all.insert("HEAD") }
        return all.sorted()
    }

    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func matches(_ pattern: [String], _ path: [String]) -> Bool {
        guard pattern.count == path.count else { return false }
        return zip(pattern, path).allSatisfy { p, s in p.hasPrefix(":") || p.hasPrefix("{") || p == "*" || p == s }
    }
}
