import Foundation
import Testing

@Suite("Ticket views, tags, merge, bulk, shared organizations")
struct TicketWorkflowTests {
    @Test("views: personal and shared, validated filters, tickets with counts")
    func views() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("a1@example.com", by: admin)
            let other = try await h.staff("a2@example.com", by: admin)
            let customer = try await h.customer("c@example.com")
            for i in 0..<3 {
                _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Urgent \(i)", "description": "d",
                                                                       "priority": "urgent"], token: admin.accessToken)
            }
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Calm", "description": "d"], token: admin.accessToken)
            let mine = try await h.request(.post, "/api/v1/views", json: ["title": "Urgent unassigned",
                                                                        "filters": ["priority": "urgent", "assignee_id": "none"],
                                                                        "sort": "-number"], token: agent.accessToken)
            #expect(mine.status == 201, "\(mine.text)")
            let id = try #require(mine["id"])
            let listed = try await h.request(.get, "/api/v1/views/\(id)/tickets?limit=2", token: agent.accessToken)
            #expect(listed.json["count"] as? Int == 3)
            #expect(listed.items.count == 2)
            #expect(listed.items.first?["subject"] as? String == "Urgent 2")
            #expect(try await h.request(.get, "/api/v1/views/\(id)", token: other.accessToken).status == 404, "personal")
            #expect(try await h.request(.post, "/api/v1/views", json: ["title": "S", "shared": true], token: agent.accessToken).status == 403)
            let shared = try await h.request(.post, "/api/v1/views", json: ["title": "All open", "shared": true,
                                                                          "filters": ["q": "status:new"]], token: admin.accessToken)
            #expect(shared.status == 201)
            let seen = try await h.request(.get, "/api/v1/views", token: other.accessToken)
            #expect(seen.items.compactMap { $0["title"] as? String } == ["All open"])
            #expect(try await h.request(.patch, "/api/v1/views/\(shared["id"]!)", json: ["title": "x"], token: other.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/views/\(shared["id"]!)/tickets", token: other.accessToken).json["count"] as? Int == 4)
            let shape = try await h.request(.post, "/api/v1/views", json: ["title": "Bad", "filters": ["color": "red"], "sort": "height"],
                                            token: agent.accessToken)
            #expect(Set(shape.errorFields) == ["filters.color", "sort"])
            let bad = try await h.request(.post, "/api/v1/views", json: ["title": "Bad", "filters": ["status": "lost", "q": "nope:x"]],
                                          token: agent.accessToken)
            #expect(Set(bad.errorFields) == ["filters.status", "filters.q"])
            #expect(try await h.request(.get, "/api/v1/views", token: customer.accessToken).status == 403)
            let renamed = try await h.request(.patch, "/api/v1/views/\(id)", json: ["title": "Renamed", "sort": NSNull()],
                                              token: agent.accessToken)
            #expect(renamed["title"] == "Renamed")
            #expect(renamed.json["sort"] is NSNull)
            #expect(try await h.request(.delete, "/api/v1/views/\(id)", token: agent.accessToken).status == 204)
        }
    }

    @Test("GET /tags counts live tickets per tag, with prefix search")
    func tags() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            for tags in [["billing", "vip"], ["billing"], ["bug"], ["billing_2"]] {
                _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d", "tags": tags],
                                        token: admin.accessToken)
            }
            let all = try await h.request(.get, "/api/v1/tags", token: admin.accessToken)
            #expect(all.items.first?["name"] as? String == "billing")
            #expect(all.items.first?["count"] as? Int == 2)
            let prefixed = try await h.request(.get, "/api/v1/tags?q=bi", token: admin.accessToken)
            #expect(Set(prefixed.items.compactMap { $0["name"] as? String }) == ["billing", "billing_2"])
            let literal = try await h.request(.get, "/api/v1/tags?q=billing_", token: admin.accessToken)
            #expect(literal.items.compactMap { $0["name"] as? String } == ["billing_2"], "_ is not a wildcard")
        }
    }

    @Test("merge closes the source, shows its conversation in the target, and both histories say so")
    func merge() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("m@example.com")
            let a = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Broken login", "description": "first report"],
                                        token: customer.accessToken)
            let b = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Login again", "description": "second report"],
                                        token: customer.accessToken)
            let (source, target) = (try #require(b["id"]), try #require(a["id"]))
            #expect(try await h.request(.post, "/api/v1/tickets/\(source)/merge", json: ["into_ticket_id": target],
                                        token: customer.accessToken).status == 403)
            #expect(try await h.request(.post, "/api/v1/tickets/\(source)/merge", json: ["into_ticket_id": source],
                                        token: admin.accessToken).errorFields == ["into_ticket_id"])
            // The source's followers follow the target too; the target's own stay.
            let agent = try await h.staff("merge-agent@example.com", by: admin)
            _ = try await h.request(.patch, "/api/v1/tickets/\(source)", json: ["follower_ids": [agent.userID, admin.userID]],
                                    token: admin.accessToken)
            _ = try await h.request(.patch, "/api/v1/tickets/\(target)", json: ["follower_ids": [admin.userID]], token: admin.accessToken)
            let merged = try await h.request(.post, "/api/v1/tickets/\(source)/merge", json: ["into_ticket_id": target],
                                             token: admin.accessToken)
            #expect(merged.status == 200, "\(merged.text)")
            #expect(merged.json["follower_ids"] as? [String] == [admin.userID, agent.userID], "\(merged.text)")
            #expect(merged["requester_id"] == a["requester_id"])
            let closed = try await h.request(.get, "/api/v1/tickets/\(source)", token: admin.accessToken)
            #expect(closed["status"] == "closed" && closed["merged_into_id"] == target, "the merged ticket links to its target")
            #expect(merged.json["merged_into_id"] is NSNull, "the target is merged into nothing")
            let conversation = try await h.request(.get, "/api/v1/tickets/\(target)/comments", token: customer.accessToken)
            let bodies = conversation.items.compactMap { $0["body"] as? String }
            #expect(bodies.contains("first report") && bodies.contains("second report"), "\(bodies)")
            for id in [source, target] {
                let events = try await h.request(.get, "/api/v1/tickets/\(id)/events", token: admin.accessToken)
                #expect(events.items.contains { ($0["type"] as? String) == "ticket.merged" })
            }
            let found = try await h.request(.get, "/api/v1/tickets?q=second", token: admin.accessToken)
            #expect(Set(found.items.compactMap { $0["id"] as? String }) == [source, target])
            #expect(try await h.request(.post, "/api/v1/tickets/\(source)/merge", json: ["into_ticket_id": target],
                                        token: admin.accessToken).code == "ticket_closed")
        }
    }

    @Test("bulk update: one result per ticket, failures do not stop the rest")
    func bulk() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("b@example.com", by: admin)
            var ids: [String] = []
            for i in 0..<3 {
                let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "T\(i)", "description": "d"], token: admin.accessToken)
                ids.append(try #require(t["id"]))
            }
            _ = try await h.request(.patch, "/api/v1/tickets/\(ids[2])", json: ["status": "solved"], token: admin.accessToken)
            _ = try await h.request(.patch, "/api/v1/tickets/\(ids[2])", json: ["status": "closed"], token: admin.accessToken)
            let missing = UUID().uuidString.lowercased()
            let r = try await h.request(.post, "/api/v1/tickets/bulk", json: [
                "ids": ids + [missing], "changes": ["assignee_id": agent.userID, "priority": "high"],
            ], token: agent.accessToken)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.items.compactMap { $0["status"] as? Int } == [200, 200, 409, 404])
            #expect((r.items[0]["ticket"] as? [String: Any])?["priority"] as? String == "high")
            #expect(try await h.request(.post, "/api/v1/tickets/bulk", json: ["ids": ids, "changes": ["priority": "extreme"]],
                                        token: agent.accessToken).items.allSatisfy { ($0["status"] as? Int) == 422 })
            #expect(try await h.request(.post, "/api/v1/tickets/bulk", json: ["ids": ids, "changes": ["colour": "red"]],
                                        token: agent.accessToken).errorFields == ["changes.colour"])
            let tooMany = (0..<101).map { _ in UUID().uuidString }
            #expect(try await h.request(.post, "/api/v1/tickets/bulk", json: ["ids": tooMany, "changes": ["priority": "low"]],
                                        token: agent.accessToken).errorFields == ["ids"])
        }
    }

    @Test("members of an organization that shares tickets see each other's; others do not")
    func sharedOrganization() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let ann = try await h.customer("ann@acme.example")
            let bob = try await h.customer("bob@acme.example")
            let org = try await h.request(.post, "/api/v1/organizations", json: ["name": "Acme", "shared_tickets": false],
                                          token: admin.accessToken)
            let orgID = try #require(org["id"])
            for user in [ann, bob] {
                _ = try await h.request(.patch, "/api/v1/users/\(user.userID)", json: ["organization_id": orgID], token: admin.accessToken)
            }
            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Acme issue", "description": "d"], token: ann.accessToken)
            let id = try #require(t["id"])
            #expect(t["organization_id"] == orgID)
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)", token: bob.accessToken).status == 404)
            _ = try await h.request(.patch, "/api/v1/organizations/\(orgID)", json: ["shared_tickets": true], token: admin.accessToken)
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)", token: bob.accessToken).status == 200)
            #expect(try await h.request(.get, "/api/v1/tickets", token: bob.accessToken).items.count == 1)
        }
    }
}

@Suite("Ticket followers")
struct TicketFollowerTests {
    @Test("agents follow tickets; customers and unknown users cannot be followers")
    func followers() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("f@example.com", by: admin)
            let customer = try await h.customer("fc@example.com")
            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d"], token: customer.accessToken)
            let id = try #require(t["id"])
            let followed = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["follower_ids": [agent.userID, agent.userID]],
                                               token: admin.accessToken)
            #expect(followed.json["follower_ids"] as? [String] == [agent.userID])
            #expect(try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["follower_ids": [customer.userID]],
                                        token: admin.accessToken).errorFields == ["follower_ids[0]"])
            #expect(try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["follower_ids": ["nope"]],
                                        token: admin.accessToken).errorFields == ["follower_ids[0]"])
            #expect(try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["follower_ids": []], token: customer.accessToken).status == 403)
        }
    }
}
