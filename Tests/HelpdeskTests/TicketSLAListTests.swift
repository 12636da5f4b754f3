import Foundation
import HelpdeskCore
import Testing

/// The SLA as the tickets service shows it: in the ticket JSON, list filters, order and search, and live.
@Suite("SLA on tickets: JSON, filters, order, search, realtime")
struct TicketSLAListTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("an urgent ticket shows its SLA to staff only, sorts first by due time, is at risk then breached, and agents hear it live")
    func listedAndSearched() async throws {
        try await Harness.run { h in
            h.clock.set(Self.utc("2026-12-07T08:00:00Z"))
            let admin = try await h.admin()
            var agent = try await h.staff("sla-list-agent@example.com", by: admin)
            var customer = try await h.customer("sla-list-customer@example.com")
            func signIn() async throws {
                agent = try await h.login("sla-list-agent@example.com", "agent-password")
                customer = try await h.login("sla-list-customer@example.com", "customer-pw")
            }
            let policy = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Fast", "conditions": [], "business_hours": false,
                "targets": ["urgent": ["first_reply": 60], "high": ["first_reply": 240]],
            ], token: admin.accessToken)
            #expect(policy.status == 201, "\(policy.text)")
            func open(_ subject: String, _ priority: String) async throws -> String {
                let t = try await h.request(.post, "/api/v1/tickets", json: [
                    "subject": subject, "description": "Please help", "priority": priority, "requester_id": customer.userID,
                ], token: agent.accessToken)
                #expect(t.status == 201, "\(t.text)")
                return try #require(t["id"])
            }
            let urgent = try await open("Site down", "urgent")
            let high = try await open("Slow exports", "high")
            let normal = try await open("Question about invoices", "normal")
            let (_, agentFrames) = await h.connect(agent, role: .agent, name: "Agent")
            let (_, customerFrames) = await h.connect(customer, role: .customer, name: "Customer")
            try await h.settleRealtime()

            let shown = try await h.request(.get, "/api/v1/tickets/\(urgent)", token: agent.accessToken)
            let sla = try #require(shown.json["sla"] as? [String: Any], "\(shown.text)")
            #expect(sla["policy_id"] as? String == policy["id"])
            let first = try #require((sla["targets"] as? [[String: Any]])?.first)
            #expect(first["metric"] as? String == "first_reply" && (first["due_at"] as? String)?.hasPrefix("2026-12-07T09:00:00") == true,
                    "\(sla)")
            let normalSLA = try await h.request(.get, "/api/v1/tickets/\(normal)", token: agent.accessToken).json["sla"] as? [String: Any]
            #expect((normalSLA?["targets"] as? [Any])?.isEmpty == true, "the policy has no target for normal priority: nothing due")
            #expect(try await h.request(.get, "/api/v1/tickets/\(urgent)", token: customer.accessToken).json["sla"] is NSNull,
                    "customers are not shown internal promises")
            #expect(await customerFrames.events().filter { $0.hasPrefix("sla.") }.isEmpty)
            #expect(await agentFrames.events().filter { $0 == "sla.updated" }.count == 3, "each ticket's SLA reached agents' pages")

            func ids(_ query: String) async throws -> [String] {
                let page = try await h.request(.get, "/api/v1/tickets?\(query)", token: agent.accessToken)
                #expect(page.status == 200, "\(query): \(page.text)")
                return page.items.compactMap { $0["id"] as? String }
            }
            #expect(try await ids("sort=sla_due") == [urgent, high, normal], "soonest due first, nothing due last")
            #expect(try await ids("sort=-sla_due") == [normal, high, urgent])
            // Keyset pages in that order, one ticket each.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await h.request(.get, "/api/v1/tickets?sort=sla_due&limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                               token: agent.accessToken)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil && seen.count < 5
            #expect(seen == [urgent, high, normal])
            #expect(try await ids("sla=at_risk").isEmpty)
            #expect(try await ids("sla=breached").isEmpty)

            h.clock.set(Self.utc("2026-12-07T08:50:00Z"))
            try await signIn()
            #expect(try await ids("sla=at_risk") == [urgent], "the last quarter of its hour")
            #expect(try await ids("q=sla:at_risk") == [urgent])

            h.clock.set(Self.utc("2026-12-07T09:30:00Z"))
            try await signIn()
            #expect(try await ids("sla=breached") == [urgent], "past due, before any scheduler pass")
            #expect(try await ids("sla=at_risk").isEmpty)
            await agentFrames.clear()
            #expect(try await h.system.automations.breachScheduler.announceDue() == 1)
            try await h.settleRealtime()
            let breached = try await h.request(.get, "/api/v1/tickets/\(urgent)", token: agent.accessToken)
            let target = try #require(((breached.json["sla"] as? [String: Any])?["targets"] as? [[String: Any]])?.first)
            #expect((target["breached_at"] as? String)?.hasPrefix("2026-12-07T09:00:00") == true, "\(breached.text)")
            #expect(await agentFrames.events() == ["sla.breached"])
            #expect(await customerFrames.events().filter { $0.hasPrefix("sla.") }.isEmpty)
            #expect(try await ids("q=sla:breached") == [urgent])
            #expect(try await ids("q=sla:breached%20slow").isEmpty, "and the words still count")

            // Answering meets the target: the ticket leaves the breached list (its breach stays on record).
            let reply = try await h.request(.post, "/api/v1/tickets/\(urgent)/comments", json: ["body": "Fixed", "public": true],
                                            token: agent.accessToken)
            #expect(reply.status == 201)
            try await h.settleRealtime()
            #expect(try await ids("sla=breached").isEmpty)
            #expect(try await ids("sort=sla_due").first == high)

            // Bad input and customers.
            let bad = try await h.request(.get, "/api/v1/tickets?sla=late", token: agent.accessToken)
            #expect(bad.status == 400 && bad.text.contains("sla"), "\(bad.text)")
            #expect(try await h.request(.get, "/api/v1/tickets?q=sla:late", token: agent.accessToken).status == 400)
            for query in ["sla=breached", "q=sla:breached", "sort=sla_due"] {
                let refused = try await h.request(.get, "/api/v1/tickets?\(query)", token: customer.accessToken)
                #expect(refused.status == 400, "\(query) is for agents: \(refused.text)")
            }
            let view = try await h.request(.post, "/api/v1/views", json: ["title": "Breached", "filters": ["sla": "breached"],
                                                                          "sort": "sla_due"], token: agent.accessToken)
            #expect(view.status == 201, "\(view.text)")
            let badView = try await h.request(.post, "/api/v1/views", json: ["title": "Odd", "filters": ["sla": "soon"]],
                                              token: agent.accessToken)
            #expect(badView.status == 422 && badView.errorFields == ["filters.sla"], "\(badView.text)")
        }
    }
}
