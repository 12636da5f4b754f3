import HelpdeskCore
import Hummingbird
import Platform

/// `GET /api/v1/openapi.json`: the document the `/docs` page renders and clients generate code from.
struct OpenAPIRoutes {
    let document: OpenAPIDocument

    func add(to routes: Routes) {
        routes.get("api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache",
                                            .accessControlAllowOrigin: "*"],
                     body: ResponseBody(byteBuffer: document.bytes))
        }
    }
}
