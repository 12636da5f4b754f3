import AutomationService
import Foundation
import HelpdeskCore
import TicketService

/// What `helpdesk seed` wrote.
public struct SeedSummary: Sendable {
    public let agents: Int
    public let customers: Int
    public let tickets: Int
    public let seconds: Double
}

extension HelpdeskSystem {
    /// Fills the workspace with realistic agents, customers (`agent<n>@bench.example`, `customer<n>@bench.example`,
    /// all with `password`) and tickets with conversations, fast enough for a million tickets: rows go in large
    /// statements, one password hash serves everyone, and no events are published.
    public func seed(tickets: Int, customers: Int, agents: Int, password: String, randomSeed: UInt64 = 42,
                     progress: @Sendable (String) -> Void = { _ in }) async throws -> SeedSummary {
        let started = ContinuousClock.now
        let workspaceID = configuration.workspaceID
        let users = try await self.users.accounts.seed(workspaceID: workspaceID, agents: agents, customers: customers,
                                                       at: Date())
        try await credentials.seed(workspaceID: workspaceID, userIDs: users.agentIDs + users.customers.map(\.id),
                                   password: password)
        progress("users: \(users.agentIDs.count) agents, \(users.customers.count) customers")
        var plan = TicketSeedPlan(count: tickets, requesters: users.customers, agents: users.agentIDs)
        plan.randomSeed = randomSeed
        let clock = ContinuousClock()
        let automations = self.automations
        try await self.tickets.tickets.seed(workspaceID: workspaceID, plan: plan, written: { tickets, comments in
            // The automations service's read model of tickets, as its consumer would have folded their events.
            var replies: [UUID: [(at: Date, byStaff: Bool)]] = [:]
            let requesters = Dictionary(tickets.map { ($0.id, $0.requesterID) }, uniquingKeysWith: { a, _ in a })
            for c in comments where c.isPublic {
                guard let requester = requesters[c.ticketID] else { continue }
                replies[c.ticketID, default: []].append((c.createdAt, c.authorID != requester))
            }
            try await automations.seed(workspaceID: workspaceID, tickets: tickets.map { t in
                SeededTicket(id: t.id, subject: t.subject, status: t.status.rawValue, priority: t.priority.rawValue, type: t.type?.rawValue,
                             requesterID: t.requesterID, assigneeID: t.assigneeID, teamID: t.teamID, organizationID: t.organizationID,
                             tags: t.tags, channel: t.channel, customFields: t.customFields, createdAt: t.createdAt, updatedAt: t.updatedAt,
                             publicReplies: Array((replies[t.id] ?? []).dropFirst()))
            })
        }) { done in
            if done % 50_000 == 0 || done == tickets {
                let seconds = Double((clock.now - started).components.seconds)
                progress("tickets: \(done) (\(Int(Double(done) / max(seconds, 1)))/s)")
            }
        }
        try await database.refreshStatistics()
        progress("statistics refreshed")
        let elapsed = clock.now - started
        return SeedSummary(agents: users.agentIDs.count, customers: users.customers.count, tickets: tickets,
                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
