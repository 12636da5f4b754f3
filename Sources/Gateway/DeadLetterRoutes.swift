import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// Admin routes over events that kept failing for a consumer (Redis bus only; the in-process bus retries in
/// place and never dead-letters):
/// `GET /api/v1/admin/dead-letters` and `POST /api/v1/admin/dead-letters/{id}/replay`.
struct DeadLetterRoutes {
    let bus: any EventBus

    func add(to routes: Routes) {
        routes.get("api/v1/admin/dead-letters") { request, context in
            _ = try context.require(.admin)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            guard let streams = bus as? RedisStreamsEventBus else {
                return try Response.json(Page<DeadLetter>(items: [], nextCursor: nil))
            }
            if let after = page.after, !after.allSatisfy({ $0.isNumber || $0 == "-" }) {
                throw HelpdeskError.badParameter("cursor", "does not belong to this list")
            }
            let letters = try await streams.deadLetters(limit: page.limit + 1, before: page.after)
            let items = Array(letters.prefix(page.limit))
            let next = letters.count > page.limit ? items.last.map { Cursor.encode($0.id) } : nil
            return try Response.json(Page(items: items, nextCursor: next))
        }
        routes.post("api/v1/admin/dead-letters/{id}/replay") { _, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard let streams = bus as? RedisStreamsEventBus, try await streams.replay(deadLetterID: id) else {
                throw HelpdeskError.notFound("dead letter")
            }
            return Response(status: .accepted)
        }
    }
}
