import Foundation
import HelpdeskCore
import Platform

/// What triggers did on a ticket, for its staff: every run, newest first.
public struct TriggerRunLog: Sendable {
    let database: Database
    let store: TriggerRunStore
    let tickets: any TicketActions

    /// One page of a ticket's runs and the cursor of the next, if any.
    public func runs(_ p: Principal, ticketID: UUID, page: PageRequest) async throws -> (items: [TriggerRun], nextCursor: String?) {
        try p.require(.agent, .admin)
        // Another workspace's ticket is not found, whatever its runs.
        guard try await tickets.ruleTicket(workspaceID: p.workspaceID, id: ticketID) != nil else { throw HelpdeskError.notFound("ticket") }
        let items = try await store.runs(workspaceID: p.workspaceID, ticketID: ticketID, before: try page.afterID(),
                                        limit: page.limit + 1, on: database.sql)
        let shown = Array(items.prefix(page.limit))
        return (shown, items.count > page.limit ? shown.last.map { Cursor.encode($0.id.lowercased) } : nil)
    }
}

/// `GET /api/v1/tickets/{id}/automation-runs`.
struct TriggerRunRoutes {
    let log: TriggerRunLog

    func add(to routes: Routes) {
        routes.get(":id/automation-runs") { request, context in
            let p = try context.require(.agent, .admin)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            let runs = try await log.runs(p, ticketID: try context.parameters.uuid("id", what: "ticket"), page: page)
            return try .json(Page(items: runs.items.map(TriggerRunJSON.init), nextCursor: runs.nextCursor))
        }
    }
}
