import Foundation
import HelpdeskCore
import Logging
import Testing
@testable import AutomationService

/// Time-based automations on both backends: the hourly pass with an injected clock, once per ticket until the
/// conditions stop holding, through the tickets service, explained in the run log and the history.
@Suite("Time-based automations")
struct AutomationPassTests {
    static func cond(_ field: String, _ op: String, _ value: Any = NSNull()) -> [String: Any] {
        ["field": field, "operator": op, "value": value]
    }

    static func automation(_ name: String, _ all: [[String: Any]], _ actions: [[String: Any]]) -> [String: Any] {
        ["name": name, "conditions": ["all": all], "actions": actions]
    }

    @Test("a solved ticket is closed four days later, once; the run log and the history name the automation")
    func closeSolved() async throws {
        try await Harness.run { h in
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            h.clock.set(start)
            let admin = try await h.admin()
            var agent = try await h.staff("timed-agent@example.com", by: admin)
            let customer = try await h.customer("timed-customer@example.com")
            let made = try await h.request(.post, "/api/v1/automations", json: Self.automation("Close solved after 4 days",
                [Self.cond("hours_since_solved", "greater_than", 96)], [["action": "set", "field": "status", "value": "closed"]]),
                token: admin.accessToken)
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Printer", "description": "jammed"],
                                                      token: customer.accessToken)["id"])
            let other = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Open", "description": "still open"],
                                                         token: customer.accessToken)["id"])
            h.clock.set(start.addingTimeInterval(600))
            let solved = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "solved"], token: agent.accessToken)
            #expect(solved.status == 200, "\(solved.text)")
            try await h.system.settleEvents()
            let pass = h.system.automations.automationPass

            h.clock.set(start.addingTimeInterval(600 + 95 * 3_600))
            #expect(try await pass.runAll() == 0, "95 hours after solving is not yet four days")
            h.clock.set(start.addingTimeInterval(600 + 97 * 3_600))
            #expect(try await pass.runAll() == 1, "the solved ticket, not the open one")
            try await h.system.settleEvents()
            // Days later: sign in again (access tokens last minutes).
            agent = try await h.login("timed-agent@example.com", "agent-password")
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken)["status"] == "closed")
            #expect(try await h.request(.get, "/api/v1/tickets/\(other)", token: agent.accessToken)["status"] == "new")
            #expect(try await pass.runAll() == 0, "a ticket is acted on once")

            let runs = try await h.request(.get, "/api/v1/tickets/\(id)/automation-runs", token: agent.accessToken).items
            #expect(runs.first?["kind"] as? String == "timed", "\(runs)")
            let entry = (runs.first?["triggers"] as? [[String: Any]])?.first
            #expect(entry?["name"] as? String == "Close solved after 4 days" && entry?["changes"] as? [String] == ["status: solved → closed"],
                    "\(String(describing: entry))")
            let history = try await h.request(.get, "/api/v1/tickets/\(id)/events?limit=100", token: agent.accessToken).items
            let byAutomation = history.filter { ($0["actor"] as? [String: Any])?["type"] as? String == "automation" }
            #expect(byAutomation.contains { $0["type"] as? String == "ticket.updated" }, "\(history)")
            for event in byAutomation {
                let rule = (event["data"] as? [String: Any])?["rule"] as? [String: Any]
                #expect(rule?["name"] as? String == "Close solved after 4 days" && rule?["kind"] as? String == "automation", "\(event)")
            }
        }
    }

    @Test("a pending ticket gets one reminder; a reply releases it, pending again starts the clock again")
    func remindPending() async throws {
        try await Harness.run { h in
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            h.clock.set(start)
            let admin = try await h.admin()
            var agent = try await h.staff("remind-agent@example.com", by: admin)
            var customer = try await h.customer("remind-customer@example.com")
            let made = try await h.request(.post, "/api/v1/automations", json: Self.automation("Remind after 3 days pending",
                [Self.cond("status", "is", "pending"), Self.cond("hours_since_pending", "greater_than", 72)],
                [["action": "add_tags", "value": ["reminded"]], ["action": "internal_note", "value": "Requester reminded"]]),
                token: admin.accessToken)
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Login", "description": "cannot sign in"],
                                                      token: customer.accessToken)["id"])
            _ = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "pending"], token: agent.accessToken)
            try await h.system.settleEvents()
            let pass = h.system.automations.automationPass
            h.clock.set(start.addingTimeInterval(73 * 3_600))
            #expect(try await pass.runAll() == 1)
            try await h.system.settleEvents()
            h.clock.set(start.addingTimeInterval(80 * 3_600))
            #expect(try await pass.runAll() == 0, "still pending, already reminded")
            agent = try await h.login("remind-agent@example.com", "agent-password")
            customer = try await h.login("remind-customer@example.com", "customer-pw")

            _ = try await h.request(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "Still broken", "public": true],
                                    token: customer.accessToken)
            try await h.system.settleEvents()
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken)["status"] == "open", "the reply reopened it")
            #expect(try await pass.runAll() == 0, "not pending: the firing is released")
            _ = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "pending"], token: agent.accessToken)
            try await h.system.settleEvents()
            h.clock.set(start.addingTimeInterval(150 * 3_600))
            #expect(try await pass.runAll() == 0, "70 hours pending again")
            h.clock.set(start.addingTimeInterval(154 * 3_600))
            #expect(try await pass.runAll() == 1, "pending for three days again: reminded again")
            try await h.system.settleEvents()
            agent = try await h.login("remind-agent@example.com", "agent-password")
            let notes = try await h.request(.get, "/api/v1/tickets/\(id)/comments", token: agent.accessToken).items
            #expect(notes.filter { $0["body"] as? String == "Requester reminded" }.count == 2, "\(notes)")
            #expect(try await h.request(.get, "/api/v1/tickets/\(id)", token: agent.accessToken).json["tags"] as? [String] == ["reminded"])
        }
    }

    @Test("an unassigned urgent ticket is escalated after 30 minutes; an assigned one is not")
    func escalateUnassigned() async throws {
        try await Harness.run { h in
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            h.clock.set(start)
            let admin = try await h.admin()
            var agent = try await h.staff("escalate-agent@example.com", by: admin)
            let made = try await h.request(.post, "/api/v1/automations", json: Self.automation("Escalate unassigned urgent",
                [Self.cond("priority", "is", "urgent"), Self.cond("assignee_id", "is"), Self.cond("hours_since_created", "greater_than", 0.5)],
                [["action": "add_tags", "value": ["escalated"]]]), token: admin.accessToken)
            #expect(made.status == 201, "\(made.text)")
            let alone = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Down", "description": "all down",
                                                                                         "priority": "urgent"], token: agent.accessToken)["id"])
            let taken = try #require(try await h.request(.post, "/api/v1/tickets", json: ["subject": "Down too", "description": "down",
                                                                                         "priority": "urgent"], token: agent.accessToken)["id"])
            let me = try #require(try await h.request(.get, "/api/v1/users/me", token: agent.accessToken)["id"])
            _ = try await h.request(.patch, "/api/v1/tickets/\(taken)", json: ["assignee_id": me], token: agent.accessToken)
            try await h.system.settleEvents()
            h.clock.set(start.addingTimeInterval(29 * 60))
            #expect(try await h.system.automations.automationPass.runAll() == 0)
            h.clock.set(start.addingTimeInterval(31 * 60))
            #expect(try await h.system.automations.automationPass.runAll() == 1)
            agent = try await h.login("escalate-agent@example.com", "agent-password")
            #expect(try await h.request(.get, "/api/v1/tickets/\(alone)", token: agent.accessToken).json["tags"] as? [String] == ["escalated"])
            #expect(try await h.request(.get, "/api/v1/tickets/\(taken)", token: agent.accessToken).json["tags"] as? [String] == [])
        }
    }

    @Test("bad automations are refused naming the part; triggers and automations are listed apart; agents are kept out")
    func validation() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("automation-validation@example.com", by: admin)
            func refused(_ body: [String: Any], _ field: String, _ message: String? = nil) async throws {
                let r = try await h.request(.post, "/api/v1/automations", json: body, token: admin.accessToken)
                let errors = (r.json["errors"] as? [[String: Any]]) ?? []
                #expect(r.status == 422 && errors.contains { e in e["field"] as? String == field && message.map { m in (e["message"] as? String)?.contains(m) == true } ?? true },
                        "\(field): \(r.text)")
            }
            let close = [["action": "set", "field": "status", "value": "closed"]]
            try await refused(Self.automation("No time", [Self.cond("status", "is", "solved")], close), "conditions.all", "hours_since")
            try await refused(Self.automation("Bad hours", [Self.cond("hours_since_solved", "greater_than", "soon")], close), "conditions.all[0].value")
            try await refused(Self.automation("Negative", [Self.cond("hours_since_solved", "greater_than", -4)], close), "conditions.all[0].value")
            try await refused(Self.automation("Event", [Self.cond("event", "is", "created"), Self.cond("hours_since_created", "greater_than", 1)], close),
                              "conditions.all[0].field")
            try await refused(Self.automation("Changed", [Self.cond("status", "changed"), Self.cond("hours_since_created", "greater_than", 1)], close),
                              "conditions.all[0].operator")
            try await refused(Self.automation("Wrong op", [Self.cond("hours_since_created", "is", 1)], close), "conditions.all[0].operator")
            let good = Self.automation("Close solved", [Self.cond("hours_since_solved", "greater_than", 96)], close)
            #expect(try await h.request(.post, "/api/v1/automations", json: good, token: agent.accessToken).status == 403)
            let made = try await h.request(.post, "/api/v1/automations", json: good, token: admin.accessToken)
            let id = try #require(made["id"])
            #expect(made.status == 201 && (made.json["conditions"] as? [String: Any]).map { ($0["all"] as? [[String: Any]])?.first?["value"] as? Double } == 96,
                    "\(made.text)")
            #expect(try await h.request(.get, "/api/v1/automations", token: admin.accessToken).items.map { $0["id"] as? String } == [id])
            #expect(try await h.request(.get, "/api/v1/triggers", token: admin.accessToken).items.isEmpty, "an automation is not a trigger")
            #expect(try await h.request(.get, "/api/v1/triggers/\(id)", token: admin.accessToken).status == 404)
            let off = try await h.request(.patch, "/api/v1/automations/\(id)", json: ["active": false], token: admin.accessToken)
            #expect(off.status == 200 && off.json["active"] as? Bool == false, "\(off.text)")
            #expect(try await h.request(.delete, "/api/v1/automations/\(id)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.get, "/api/v1/automations/\(id)", token: admin.accessToken).status == 404)
        }
    }

    @Test("seeded tickets are in the automations' read model: a pass over them closes exactly the solved ones, a page at a time")
    func seededWorkspace() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            _ = try await h.system.seed(tickets: 150, customers: 20, agents: 3, password: "bench-password")
            let made = try await h.request(.post, "/api/v1/automations", json: Self.automation("Close solved after a day",
                [Self.cond("hours_since_solved", "greater_than", 24)], [["action": "set", "field": "status", "value": "closed"]]),
                token: admin.accessToken)
            #expect(made.status == 201, "\(made.text)")
            let solved = try await h.request(.get, "/api/v1/tickets?status=solved&limit=100", token: admin.accessToken).items
            let solvedLongAgo = solved.filter { ($0["updated_at"] as? String).flatMap(Self.date).map { $0 < h.clock.now.addingTimeInterval(-86_400) } ?? false }
            #expect(!solvedLongAgo.isEmpty && solved.count < 100, "the seed solves about 40 %: \(solved.count)")
            let pass = AutomationPassTests.smallPages(h)
            #expect(try await pass.runAll() == solvedLongAgo.count)
            try await h.system.settleEvents()
            let left = try await h.request(.get, "/api/v1/tickets?status=solved&limit=100", token: admin.accessToken).items
            #expect(left.count == solved.count - solvedLongAgo.count, "\(left.count)")
            #expect(try await pass.runAll() == 0, "closed tickets are not looked at again")
        }
    }

    static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// The workspace's pass with pages of 7 tickets, so paging is exercised.
    static func smallPages(_ h: Harness) -> AutomationPass {
        AutomationPass(database: h.system.database, tickets: h.system.tickets.actions, clock: h.clock.source, pageSize: 7,
                       workspaceID: h.workspaceID, logger: Logger(label: "test"))
    }
}
