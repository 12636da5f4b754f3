import Foundation
import Testing

@Suite("Ticket fields")
struct TicketFieldTests {
    @Test("admins define fields; values are checked by type; internal fields stay internal; required on solve")
    func customFields() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("ag@example.com", by: admin)
            let customer = try await h.customer("cu@example.com")
            func define(_ body: [String: Any]) async throws -> HTTPResult {
                try await h.request(.post, "/api/v1/ticket-fields", json: body, token: admin.accessToken)
            }
            let plan = try await define(["key": "plan", "title": "Plan", "type": "dropdown", "customer_editable": true,
                                         "options": [["value": "free", "label": "Free"], ["value": "gold", "label": "Gold"]]])
            #expect(plan.status == 201, "\(plan.text)")
            let score = try await define(["key": "score", "title": "Score", "type": "number", "required_on_solve": true])
            #expect(score.status == 201)
            #expect(try await define(["key": "due", "title": "Due", "type": "date"]).status == 201)
            #expect(try await define(["key": "sku", "title": "SKU", "type": "regex", "pattern": "[A-Z]{3}-[0-9]{4}"]).status == 201)
            #expect(try await define(["key": "areas", "title": "Areas", "type": "multiselect",
                                      "options": [["value": "a", "label": "A"], ["value": "b", "label": "B"]]]).status == 201)

            #expect(try await define(["key": "Bad Key", "title": "x", "type": "text"]).errorFields == ["key"])
            #expect(try await define(["key": "k", "title": "x", "type": "color"]).errorFields == ["type"])
            #expect(try await define(["key": "k", "title": "x", "type": "dropdown"]).errorFields == ["options"])
            #expect(try await define(["key": "k", "title": "x", "type": "regex", "pattern": "(["]).errorFields == ["pattern"])
            #expect(try await define(["key": "plan", "title": "Again", "type": "text"]).code == "key_taken")
            #expect(try await h.request(.post, "/api/v1/ticket-fields", json: ["key": "k", "title": "t", "type": "text"],
                                        token: agent.accessToken).status == 403)

            let created = try await h.request(.post, "/api/v1/tickets", json: [
                "subject": "Upgrade", "description": "Please", "tags": ["billing"], "custom_fields": ["plan": "gold"],
            ], token: customer.accessToken)
            #expect(created.status == 201, "\(created.text)")
            #expect((created.json["custom_fields"] as? [String: String]) == ["plan": "gold"])
            let id = try #require(created["id"])
            let internalOnly = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d",
                                                                              "custom_fields": ["score": 5]], token: customer.accessToken)
            #expect(internalOnly.errorFields == ["custom_fields.score"])

            let bad = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["custom_fields": [
                "plan": "platinum", "score": 1.5, "due": "2026-02-30", "sku": "abc-1234", "areas": ["c"], "nope": 1,
            ]], token: agent.accessToken)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["custom_fields.plan", "custom_fields.score", "custom_fields.due",
                                             "custom_fields.sku", "custom_fields.areas", "custom_fields.nope"])
            let good = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["custom_fields": [
                "due": "2026-02-28", "sku": "ABC-1234", "areas": ["b", "a", "b"],
            ]], token: agent.accessToken)
            #expect(good.status == 200, "\(good.text)")
            #expect((good.json["custom_fields"] as? [String: Any])?["areas"] as? [String] == ["b", "a"])

            let unsolvable = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "solved"], token: agent.accessToken)
            #expect(unsolvable.errorFields == ["custom_fields.score"])
            let solved = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "solved", "custom_fields": ["score": 3]],
                                             token: agent.accessToken)
            #expect(solved["status"] == "solved", "\(solved.text)")

            let customerView = try await h.request(.get, "/api/v1/tickets/\(id)", token: customer.accessToken)
            #expect(Set((customerView.json["custom_fields"] as? [String: Any] ?? [:]).keys) == ["plan"])
            let visibleFields = try await h.request(.get, "/api/v1/ticket-fields", token: customer.accessToken)
            #expect(visibleFields.items.compactMap { $0["key"] as? String } == ["plan"])

            // Deleting a field takes it off tickets; the history still names it.
            let scoreID = try #require(score["id"])
            #expect(try await h.request(.delete, "/api/v1/ticket-fields/\(scoreID)", token: admin.accessToken).status == 204)
            let after = try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken)
            #expect((after.json["custom_fields"] as? [String: Any])?["score"] == nil)
            let events = try await h.request(.get, "/api/v1/tickets/\(id)/events", token: agent.accessToken)
            #expect(events.text.contains("custom_fields.score"))
            #expect(try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["custom_fields": ["score": 4]],
                                        token: agent.accessToken).errorFields == ["custom_fields.score"])
            let fields = try await h.request(.get, "/api/v1/ticket-fields", token: agent.accessToken)
            #expect(fields.items.first { ($0["key"] as? String) == "score" }?["active"] as? Bool == false)
            #expect(try await h.request(.patch, "/api/v1/ticket-fields/\(scoreID)", json: ["type": "text"],
                                        token: admin.accessToken).errorFields == ["type"])
        }
    }
}
