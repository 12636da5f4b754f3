import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// Admin routes over events that kept failing for a consumer:
/// `GET /api/v1/admin/dead-letters` and `POST /api/v1/admin/dead-letters/{id}/replay`.
struct DeadLetterRoutes {
    let bus: any EventBus

    func add(to routes: Routes) {
        routes.get("api/v1/admin/dead-letters") { request, context in
            let p = try context.require(.admin)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            guard let queue = bus.deadLetterQueue else { return try Response.json(Page<DeadLetter>(items: [], nextCursor: nil)) }
            let letters = try await queue.deadLetters(workspaceID: p.workspaceID, limit: page.limit + 1, before: page.after)
            let items = Array(letters.prefix(page.limit))
            let next = letters.count > page.limit ? items.last.map { Cursor.encode($0.id) } : nil
            return try Response.json(Page(items: items, nextCursor: next))
        }
        routes.post("api/v1/admin/dead-letters/{id}/replay") { _, context in
            let p = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard let queue = bus.deadLetterQueue, try await queue.replay(workspaceID: p.workspaceID, deadLetterID: id) else {
                throw HelpdeskError.notFound("dead letter")
            }
            return Response(status: .accepted)
        }
    }
}
