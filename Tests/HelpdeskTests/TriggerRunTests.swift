import Foundation
import HelpdeskCore
import Testing

/// Triggers running on real ticket events, through the tickets service, on both backends.
@Suite("Triggers at work: changes through the tickets service, the run log, loops, broken rules")
struct TriggerRunTests {
    static func trigger(_ name: String, all: [[String: Any]], actions: [[String: Any]], position: Int? = nil) -> [String: Any] {
        var body: [String: Any] = ["name": name, "conditions": ["all": all], "actions": actions]
        if let position { body["position"] = position }
        return body
    }

    static func cond(_ field: String, _ op: String, _ value: Any = NSNull()) -> [String: Any] {
        ["field": field, "operator": op, "value": value]
    }

    static func runs(_ h: Harness, _ ticketID: String, _ token: String) async throws -> [[String: Any]] {
        let list = try await h.request(.get, "/api/v1/tickets/\(ticketID)/automation-runs", token: token)
        #expect(list.status == 200, "\(list.text)")
        return list.items
    }

    static func entries(_ run: [String: Any]?) -> [String: [String: Any]] {
        let list = run?["triggers"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("a customer's refund request is tagged, routed and raised by a trigger; the run log and the history explain it")
    func refund() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("trigger-agent@example.com", by: admin)
            let customer = try await h.customer("trigger-customer@example.com")
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Billing"], token: admin.accessToken)
            let billing = try #require(team["id"])
            let refund = try await h.request(.post, "/api/v1/triggers", json: Self.trigger("Refunds to Billing", all: [
                Self.cond("event", "is", "created"), Self.cond("actor", "is", "customer"), Self.cond("comment", "contains", "refund"),
            ], actions: [
                ["action": "add_tags", "value": ["billing"]], ["action": "set", "field": "team_id", "value": billing],
                ["action": "set", "field": "priority", "value": "high"],
            ]), token: admin.accessToken)
            #expect(refund.status == 201, "\(refund.text)")
            _ = try await h.request(.post, "/api/v1/triggers", json: Self.trigger("VIP first", all: [Self.cond("tag", "includes", "vip")],
                                                                                  actions: [["action": "set", "field": "priority", "value": "urgent"]]),
                                    token: admin.accessToken)

            let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Charged twice",
                                                                              "description": "Hello, I would like a REFUND please."],
                                              token: customer.accessToken)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"])
            #expect(created["priority"] == "normal", "the request itself is not slowed or changed by triggers")
            try await h.system.settleEvents()

            let ticket = try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken)
            #expect(ticket["priority"] == "high" && ticket["team_id"] == billing, "\(ticket.text)")
            #expect(ticket.json["tags"] as? [String] == ["billing"], "\(ticket.text)")

            var runs = try await Self.runs(h, id, agent.accessToken)
            #expect(runs.count == 1, "one run for the creation; the trigger's own change starts none: \(runs)")
            #expect(runs.first?["kind"] as? String == "created" && runs.first?["stopped_too_deep"] as? Bool == false)
            var entries = Self.entries(runs.first)
            #expect(entries["Refunds to Billing"]?["fired"] as? Bool == true)
            #expect(entries["Refunds to Billing"]?["changes"] as? [String] == ["tags: empty → billing", "team_id: empty → \(billing)",
                                                                             "priority: normal → high"],
                    "\(String(describing: entries["Refunds to Billing"]))")
            #expect(entries["VIP first"]?["fired"] as? Bool == false && entries["VIP first"]?["failed_condition"] as? String == "tag includes vip",
                    "\(String(describing: entries["VIP first"]))")

            let history = try await h.request(.get, "/api/v1/tickets/\(id)/events?limit=100", token: agent.accessToken).items
            let byTrigger = history.filter { ($0["actor"] as? [String: Any])?["type"] as? String == "trigger" }
            #expect(!byTrigger.isEmpty, "the change is recorded as the trigger's: \(history)")
            let rule = (byTrigger.first?["data"] as? [String: Any])?["rule"] as? [String: Any]
            #expect(rule?["name"] as? String == "Refunds to Billing" && rule?["kind"] as? String == "trigger", "\(String(describing: rule))")
            let seen = try await h.request(.get, "/api/v1/tickets/\(id)/events?limit=100", token: customer.accessToken).items
            #expect(seen.allSatisfy { ($0["data"] as? [String: Any])?["rule"] == nil }, "customers are not shown the rule's name")

            // A reply is a new event with its own run; the refund trigger only looks at creations.
            _ = try await h.request(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "We are on it (refund)", "public": true],
                                    token: agent.accessToken)
            try await h.system.settleEvents()
            runs = try await Self.runs(h, id, agent.accessToken)
            #expect(runs.count == 2 && runs.first?["kind"] as? String == "comment_added", "newest first, one run per request: \(runs)")
            entries = Self.entries(runs.first)
            #expect(entries["Refunds to Billing"]?["failed_condition"] as? String == "event is created", "\(String(describing: entries))")

            #expect(try await h.request(.get, "/api/v1/tickets/\(id)/automation-runs", token: customer.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/tickets/\(UUID().uuidString)/automation-runs", token: agent.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)/automation-runs?limit=0", token: agent.accessToken).status == 400)
            let page = try await h.request(.get, "/api/v1/tickets/\(id)/automation-runs?limit=1", token: agent.accessToken)
            let cursor = try #require(page.json["next_cursor"] as? String)
            let rest = try await h.request(.get, "/api/v1/tickets/\(id)/automation-runs?limit=1&cursor=\(cursor)", token: agent.accessToken)
            #expect(rest.items.first?["kind"] as? String == "created" && rest.json["next_cursor"] is NSNull, "\(rest.text)")
        }
    }

    @Test("a trigger naming a deleted team fails alone, is marked broken and skipped until saved again")
    func brokenReference() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("broken-trigger@example.com")
            let gone = try #require(try await h.request(.post, "/api/v1/teams", json: ["name": "Gone"], token: admin.accessToken)["id"])
            let route = try await h.request(.post, "/api/v1/triggers", json: Self.trigger("Route to Gone", all: [Self.cond("event", "is", "created")],
                                                                                         actions: [["action": "set", "field": "team_id", "value": gone]]),
                                            token: admin.accessToken)
            let routeID = try #require(route["id"])
            _ = try await h.request(.post, "/api/v1/triggers", json: Self.trigger("Mark seen", all: [Self.cond("event", "is", "created")],
                                                                                  actions: [["action": "add_tags", "value": ["seen"]],
                                                                                            ["action": "internal_note", "value": "Seen by a trigger"]]),
                                    token: admin.accessToken)
            #expect(try await h.request(.delete, "/api/v1/teams/\(gone)", token: admin.accessToken).status == 204)

            let first = try await h.request(.post, "/api/v1/tickets", json: ["subject": "One", "description": "first"], token: customer.accessToken)
            #expect(first.status == 201, "a broken trigger never fails the request: \(first.text)")
            let firstID = try #require(first["id"])
            try await h.system.settleEvents()
            let ticket = try await h.request(.get, "/api/v1/tickets/\(firstID)", token: admin.accessToken)
            #expect(ticket.json["tags"] as? [String] == ["seen"] && ticket.json["team_id"] is NSNull, "\(ticket.text)")
            let notes = try await h.request(.get, "/api/v1/tickets/\(firstID)/comments", token: admin.accessToken).items
            #expect(notes.contains { $0["body"] as? String == "Seen by a trigger" && $0["public"] as? Bool == false }, "\(notes)")
            let customerView = try await h.request(.get, "/api/v1/tickets/\(firstID)/comments", token: customer.accessToken).items
            #expect(!customerView.contains { $0["body"] as? String == "Seen by a trigger" }, "the trigger's note is internal")
            let entries = Self.entries(try await Self.runs(h, firstID, admin.accessToken).first)
            #expect(entries["Mark seen"]?["fired"] as? Bool == true && entries["Mark seen"]?["error"] is NSNull)
            let error = entries["Route to Gone"]?["error"] as? String
            #expect(error?.contains("team_id") == true, "the run log says why its change was refused: \(String(describing: entries["Route to Gone"]))")

            let broken = try await h.request(.get, "/api/v1/triggers/\(routeID)", token: admin.accessToken)
            #expect((broken.json["problems"] as? [String])?.first?.contains("team_id") == true, "shown as broken: \(broken.text)")
            let second = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Two", "description": "second"],
                                                          token: customer.accessToken)["id"])
            try await h.system.settleEvents()
            let next = Self.entries(try await Self.runs(h, second, admin.accessToken).first)
            #expect(next["Route to Gone"] == nil && next["Mark seen"]?["fired"] as? Bool == true, "a broken trigger is skipped: \(next)")

            let billing = try #require(try await h.request(.post, "/api/v1/teams", json: ["name": "Billing"], token: admin.accessToken)["id"])
            let fixed = try await h.request(.patch, "/api/v1/triggers/\(routeID)", json: [
                "conditions": ["all": [Self.cond("event", "is", "created")]],
                "actions": [["action": "set", "field": "team_id", "value": billing]],
            ], token: admin.accessToken)
            #expect(fixed.status == 200 && (fixed.json["problems"] as? [Any])?.isEmpty == true, "\(fixed.text)")
            let third = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Three", "description": "third"],
                                                         token: customer.accessToken)["id"])
            try await h.system.settleEvents()
            #expect(try await h.request(.get, "/api/v1/tickets/\(third)", token: admin.accessToken)["team_id"] == billing)
        }
    }

    @Test("triggers that keep firing each other stop after ten, with an audit record; their own changes start no run")
    func chainTooDeep() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("chain-agent@example.com", by: admin)
            // Each adds a tag the next one waits for: eleven in a chain.
            for i in 0..<11 {
                // The first also needs the update's actor: every ticket event names the role it was made in.
                let all = i == 0 ? [Self.cond("event", "is", "updated"), Self.cond("actor", "is", "agent")] : [Self.cond("tag", "includes", "step\(i - 1)")]
                let made = try await h.request(.post, "/api/v1/triggers", json: Self.trigger("Step \(i)", all: all,
                                                                                            actions: [["action": "add_tags", "value": ["step\(i)"]]],
                                                                                            position: 10 - i),
                                               token: admin.accessToken)
                #expect(made.status == 201, "\(made.text)")
            }
            let id = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Chain", "description": "go"],
                                                      token: agent.accessToken)["id"])
            try await h.system.settleEvents()
            #expect(try await Self.runs(h, id, agent.accessToken).count == 1, "a creation is not an update: nothing fires")
            _ = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["priority": "high"], token: agent.accessToken)
            try await h.system.settleEvents()
            let runs = try await Self.runs(h, id, agent.accessToken)
            #expect(runs.count == 2, "the triggers' ten writes start no runs of their own: \(runs.count)")
            let run = try #require(runs.first)
            #expect(run["stopped_too_deep"] as? Bool == true)
            let entries = Self.entries(run)
            #expect(entries.values.filter { $0["fired"] as? Bool == true }.count == 10)
            #expect((entries["Step 10"]?["failed_condition"] as? String)?.contains("more than 10") == true, "\(String(describing: entries["Step 10"]))")
            let tags = try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken).json["tags"] as? [String]
            #expect(tags == (0..<10).map { "step\($0)" }, "\(String(describing: tags))")
            let history = try await h.request(.get, "/api/v1/tickets/\(id)/events?limit=100", token: agent.accessToken).items
            let byTriggers = history.filter { ($0["actor"] as? [String: Any])?["type"] as? String == "trigger" }
            #expect(byTriggers.count == 1, "the ten fired triggers write one update together: \(byTriggers)")
            let rules = ((byTriggers.first?["data"] as? [String: Any])?["rules"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(rules == (0..<10).map { "Step \($0)" }, "the update names every trigger, in firing order: \(String(describing: rules))")
            let audit = try await h.request(.get, "/api/v1/audit/events?action=trigger.chain_stopped&subject_id=\(id)", token: admin.accessToken)
            #expect(audit.items.count == 1, "\(audit.text)")
        }
    }
}
