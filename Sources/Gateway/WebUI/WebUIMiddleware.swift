import HTTPTypes
import Hummingbird
import Platform

/// Serves the web UI: files by path, and `index.html` for any other GET outside the API, so the front end's
/// history-API routes (`/tickets/42`) load the application. Every UI response carries a strict
/// Content-Security-Policy (no inline script or style) and revalidates through its ETag.
struct WebUIMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let assets: WebAssets

    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "frame-src 'self'", "frame-ancestors 'none'", "form-action 'self'",
    ].joined(separator: "; ")

    /// Paths that belong to the API and system routes, never to the UI.
    static let reservedPrefixes = ["/api/", "/.well-known/", "/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, context: AppRequestContext,
                next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        // Empty segments are ignored by the router (`//api/v1/…` is the API), so here too.
        let raw = request.uri.path
        let doubled = zip(raw.utf8, raw.utf8.dropFirst()).contains { $0 == UInt8(ascii: "/") && $1 == UInt8(ascii: "/") }
        let path = doubled ? "/" + request.uri.path.split(separator: "/").joined(separator: "/")
            + (request.uri.path.hasSuffix("/") && request.uri.path != "/" ? "/" : "") : request.uri.path
        if Self.reservedPrefixes.contains(where: { path.hasPrefix($0) }) || path == "/api" {
            return try await next(request, context)
        }
        // The interactive API documentation is a page of its own, not a route of the application shell.
        if path == "/docs" || path == "/docs/" || path.hasPrefix("/docs/") {
            context.facts.route = "/docs"
            if let asset = assets.asset(at: path.hasSuffix("/") || path == "/docs" ? "/docs/index.html" : path) {
                return respond(asset, to: request)
            }
            return try await next(request, context)
        }
        if let asset = assets.asset(at: path == "/" ? "/index.html" : path) {
            context.facts.route = "/ (web UI)"
            return respond(asset, to: request)
        }
        // A client-side route (no file extension): the application shell handles it.
        let last = path.split(separator: "/").last ?? ""
        if !last.contains("."), let index = assets.asset(at: "/index.html") {
            context.facts.route = "/ (web UI)"
            return respond(index, to: request)
        }
        return try await next(request, context)
    }

    func respond(_ asset: WebAssets.Asset, to request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            // No fingerprinted names without a build step: revalidate every time (a 304 costs one round trip).
            .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
        ]
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.body.readableBytes)
        return Response(status: .ok, headers: headers,
                        body: request.method == .head ? .init() : .init(byteBuffer: asset.body))
    }
}
