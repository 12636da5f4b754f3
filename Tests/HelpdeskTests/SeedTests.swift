import Foundation
import Gateway
import Testing

@Suite("helpdesk seed: a realistic workspace for benchmarks")
struct SeedTests {
    @Test("seeded users log in, tickets are numbered, listed, searchable and private as usual; a second run adds tickets")
    func seed() async throws {
        try await Harness.run { h in
            let summary = try await h.system.seed(tickets: 600, customers: 40, agents: 4, password: "bench-password")
            #expect(summary.tickets == 600 && summary.agents == 4 && summary.customers == 40)

            let agent = try await h.login("agent1@bench.example", "bench-password")
            // Every third seeded customer belongs to no organization.
            let customer = try await h.login("customer3@bench.example", "bench-password")
            let first = try await h.request(.get, "/api/v1/tickets?sort=number&limit=1", token: agent.accessToken)
            #expect(first.items.first?["number"] as? Int == 1)
            let last = try await h.request(.get, "/api/v1/tickets?sort=-number&limit=1", token: agent.accessToken)
            #expect(last.items.first?["number"] as? Int == 600)
            let counts = try await h.request(.get, "/api/v1/tickets/counts", token: agent.accessToken).json
            let open = counts["all_open"] as? Int ?? 0
            #expect(open > 60 && open < 300, "a realistic share is open: \(counts)")

            // The conversation is there, descriptions first, and search finds seeded text.
            let ticket = try #require(last.items.first?["id"] as? String)
            let comments = try await h.request(.get, "/api/v1/tickets/\(ticket)/comments", token: agent.accessToken).items
            #expect(!comments.isEmpty && (comments.first?["public"] as? Bool) == true)
            let found = try await h.request(.get, "/api/v1/tickets?q=printer", token: agent.accessToken).items
            #expect(!found.isEmpty)
            // Internal notes are searchable for agents only (this phrase exists only in seeded notes).
            let notesForAgent = try await h.request(.get, "/api/v1/tickets?q=%2214%20failed%20attempts%22",
                                                    token: agent.accessToken).items
            #expect(!notesForAgent.isEmpty)

            // A customer without an organization sees exactly the tickets they requested.
            let mine = try await h.request(.get, "/api/v1/tickets?limit=100", token: customer.accessToken)
            #expect(mine.status == 200 && !mine.items.isEmpty && mine.items.count < 100)
            #expect(mine.items.allSatisfy { $0["requester_id"] as? String == customer.userID })
            let notesForCustomer = try await h.request(.get, "/api/v1/tickets?q=%2214%20failed%20attempts%22",
                                                       token: customer.accessToken)
            #expect(notesForCustomer.status == 200 && notesForCustomer.items.isEmpty)

            // Running again keeps the users and continues the numbering.
            let again = try await h.system.seed(tickets: 50, customers: 40, agents: 4, password: "bench-password")
            #expect(again.agents == 4 && again.customers == 40)
            let newest = try await h.request(.get, "/api/v1/tickets?sort=-number&limit=1", token: agent.accessToken)
            #expect(newest.items.first?["number"] as? Int == 650)
            // And ordinary creation continues after the seeded numbers.
            let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": "After seeding", "description": "x"],
                                              token: customer.accessToken)
            #expect(created.status == 201 && created.json["number"] as? Int == 651)
        }
    }

    @Test("a search matching more than the relevance limit comes newest first, and its pages never repeat a ticket")
    func broadSearch() async throws {
        try await Harness.run { h in
            _ = try await h.system.seed(tickets: 1500, customers: 50, agents: 2, password: "bench-password")
            let agent = try await h.login("agent1@bench.example", "bench-password")
            // "the" is in most seeded messages: far more than the relevance limit.
            var seen: [Int] = []
            var cursor: String?
            for _ in 0..<3 {
                let page = try await h.request(.get, "/api/v1/tickets?q=the&limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                               token: agent.accessToken)
                #expect(page.status == 200)
                seen += page.items.compactMap { $0["number"] as? Int }
                cursor = page.json["next_cursor"] as? String
            }
            #expect(seen.count == 150)
            #expect(Set(seen).count == seen.count, "pages never repeat a ticket")
            #expect(seen == seen.sorted(by: >), "broad matches come newest first")
            #expect(seen.first == 1500)
            // A narrow search is still ranked by relevance: the best match first, whatever its age.
            let narrow = try await h.request(.get, "/api/v1/tickets?q=webhook%20deliveries%20failing", token: agent.accessToken)
            #expect(narrow.status == 200 && !narrow.items.isEmpty)
            #expect(narrow.items.allSatisfy { ($0["subject"] as? String ?? "").contains("Webhook") })
        }
    }
}
