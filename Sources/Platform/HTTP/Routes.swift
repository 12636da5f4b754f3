import HelpdeskCore
import Hummingbird

/// Where a service module adds its routes: a router group that also records each route in the `RouteTable`.
public struct Routes {
    let router: Router<AppRequestContext>
    let table: RouteTable
    let prefix: String

    public init(router: Router<AppRequestContext>, table: RouteTable, prefix: String = "") {
        self.router = router
        self.table = table
        self.prefix = prefix
    }

    /// Routes under a further path prefix, e.g. `/api/v1/users`.
    public func group(_ path: String) -> Routes {
        Routes(router: router, table: table, prefix: Self.join(prefix, path))
    }

    public typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    public func on(_ method: HTTPRequest.Method, _ path: String = "", _ handler: @escaping Handler) {
        let full = Self.join(prefix, path)
        table.add(method: method, path: full)
        router.on(RouterPath(stringLiteral: full), method: method) { request, context in try await handler(request, context) }
    }

    public func get(_ path: String = "", _ handler: @escaping Handler) { on(.get, path, handler) }
    public func post(_ path: String = "", _ handler: @escaping Handler) { on(.post, path, handler) }
    public func patch(_ path: String = "", _ handler: @escaping Handler) { on(.patch, path, handler) }
    public func put(_ path: String = "", _ handler: @escaping Handler) { on(.put, path, handler) }
    public func delete(_ path: String = "", _ handler: @escaping Handler) { on(.delete, path, handler) }

    static func join(_ a: String, _ b: String) -> String {
        let parts = (a.split(separator: "/") + b.split(separator: "/")).map(String.init)
        return "/" + parts.joined(separator: "/")
    }
}

extension Request {
    /// The value of query parameter `name`, if present, decoded as a form would encode it (`+` is a space).
    public func query(_ name: String) -> String? {
        FormQuery(uri.query.map { Substring($0) })[name]
    }

    /// Decodes the JSON body; a missing, malformed or oversized body becomes a problem naming the field.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        try await APIJSONDecoder().decode(type, from: self, context: context)
    }
}

extension Parameters {
    /// A path parameter as a UUID; anything else is a 404 since no such resource can exist.
    public func uuid(_ name: String, what: String) throws -> UUID {
        guard let raw = self.get(name), let id = UUID(uuidString: raw) else { throw HelpdeskError.notFound(what) }
        return id
    }
}

import Foundation
