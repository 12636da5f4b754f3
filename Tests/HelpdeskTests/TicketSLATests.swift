import Foundation
import HelpdeskCore
import Platform
import Testing
@testable import AutomationService

@Suite("SLA targets on tickets")
struct TicketSLATests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func target(_ sla: [String: Any], _ metric: String) -> [String: Any]? {
        (sla["targets"] as? [[String: Any]])?.first { $0["metric"] as? String == metric }
    }

    static func time(_ value: Any?) -> Date? {
        (value as? String).flatMap { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") }
    }

    @Test("an urgent ticket opened Friday 16:30 in Paris is due Monday 09:30; the agent's reply achieves it, a late one is a breach")
    func businessHoursScenario() async throws {
        try await Harness.run { h in
            h.clock.set(Self.utc("2026-12-04T15:30:00Z"))   // Friday 16:30 in Paris
            let admin = try await h.admin()
            var agent = try await h.staff("sla-ticket-agent@example.com", by: admin)
            var customer = try await h.customer("sla-customer@example.com")
            // Moving the clock over a weekend expires access tokens: sign in again at the new time.
            func signIn() async throws {
                agent = try await h.login("sla-ticket-agent@example.com", "agent-password")
                customer = try await h.login("sla-customer@example.com", "customer-pw")
            }
            let schedule = try await h.request(.post, "/api/v1/schedules", json: [
                "name": "Paris", "time_zone": "Europe/Paris",
                "intervals": (1...5).map { ["weekday": $0, "start": "09:00", "end": "17:00"] },
                "holidays": [["date": "2026-12-25", "recurring": true]],
            ], token: admin.accessToken)
            #expect(schedule.status == 201, "\(schedule.text)")
            let policy = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Urgent", "conditions": [["field": "priority", "operator": "is", "value": "urgent"]],
                "targets": ["urgent": ["first_reply": 60, "resolution": 480]],
            ], token: admin.accessToken)
            let policyID = try #require(policy["id"])

            let ticket = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Down", "description": "Nothing works"],
                                             token: customer.accessToken)
            let id = try #require(ticket["id"])
            try await h.system.settleEvents()
            let before = try await h.request(.get, "/api/v1/sla/tickets/\(id)", token: agent.accessToken)
            #expect(before.status == 200, "\(before.text)")
            #expect(before.json["policy_id"] is NSNull && (before.json["targets"] as? [Any])?.isEmpty == true,
                    "normal priority matches no policy: \(before.text)")

            _ = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["priority": "urgent"], token: agent.accessToken)
            try await h.system.settleEvents()
            let urgent = try await h.request(.get, "/api/v1/sla/tickets/\(id)", token: agent.accessToken)
            #expect(urgent["policy_id"] == policyID, "\(urgent.text)")
            let first = try #require(Self.target(urgent.json, "first_reply"))
            #expect(Self.time(first["due_at"]) == Self.utc("2026-12-07T08:30:00Z"), "Monday 09:30 Paris, counted from creation: \(first)")
            #expect(first["breached_at"] == nil && first["achieved_at"] == nil && first["paused"] as? Bool == false)
            let resolution = try #require(Self.target(urgent.json, "resolution"))
            #expect(Self.time(resolution["due_at"]) == Self.utc("2026-12-07T15:30:00Z"), "30 min Friday + 7 h 30 Monday: \(resolution)")

            h.clock.set(Self.utc("2026-12-07T08:10:00Z"))
            try await signIn()
            let reply = try await h.request(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "Looking now", "public": true],
                                            token: agent.accessToken)
            #expect(reply.status == 201, "\(reply.text)")
            try await h.system.settleEvents()
            let answered = try await h.request(.get, "/api/v1/sla/tickets/\(id)", token: agent.accessToken)
            let achieved = try #require(Self.target(answered.json, "first_reply"))
            #expect(Self.time(achieved["achieved_at"]) == Self.utc("2026-12-07T08:10:00Z") && achieved["breached_at"] == nil,
                    "\(answered.text)")

            // A second urgent ticket nobody answers: past its due time it reads as breached at that time.
            h.clock.set(Self.utc("2026-12-07T09:00:00Z"))
            try await signIn()
            let late = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Also down", "description": "Still"],
                                           token: customer.accessToken)
            let lateID = try #require(late["id"])
            _ = try await h.request(.patch, "/api/v1/tickets/\(lateID)", json: ["priority": "urgent"], token: agent.accessToken)
            try await h.system.settleEvents()
            h.clock.advance(2 * 3600)
            try await signIn()
            let breached = try await h.request(.get, "/api/v1/sla/tickets/\(lateID)", token: agent.accessToken)
            let missed = try #require(Self.target(breached.json, "first_reply"))
            #expect(Self.time(missed["breached_at"]) == Self.utc("2026-12-07T10:00:00Z") && missed["achieved_at"] == nil,
                    "\(breached.text)")

            #expect(try await h.request(.get, "/api/v1/sla/tickets/\(id)", token: customer.accessToken).status == 403,
                    "customers are not shown internal promises")
            let other = UUID().uuidString.lowercased()
            #expect(try await h.request(.get, "/api/v1/sla/tickets/\(other)", token: agent.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/sla/tickets/not-a-uuid", token: agent.accessToken).status == 404)
        }
    }

    @Test("the fold: the description and a merge notice are no replies, internal notes run no clock, a customer's note is not staff's, a merged-away ticket ends")
    func fold() throws {
        let ws = UUID(), ticket = UUID(), at = Self.utc("2026-12-04T10:00:00Z")
        func event(_ type: String, _ data: [String: JSONValue], minutes: Double = 0) -> EventEnvelope {
            EventEnvelope(type: type, workspaceID: ws, actor: .system, subject: EventSubject(type: "ticket", id: ticket),
                          occurredAt: at.addingTimeInterval(minutes * 60), data: .object(data))
        }
        var state = try #require(SLATicketState.started(by: event("ticket.created", [
            "status": "new", "priority": "high", "tags": .array(["vip"]), "channel": "email", "custom_fields": ["plan": "gold"],
        ])))
        #expect(state.facts == SLATicketFacts(priority: "high", tags: ["vip"], channel: "email", customFields: ["plan": "gold"]))
        state.apply(event("comment.added", ["public": true, "initial": true, "author_role": "customer"]))
        state.apply(event("comment.added", ["public": false, "author_role": "agent"], minutes: 1))
        state.apply(event("comment.added", ["public": true, "automatic": true, "author_role": "agent"], minutes: 1))
        state.apply(event("comment.added", ["public": true, "author_role": "customer"], minutes: 2))
        state.apply(event("comment.added", ["public": true, "author_role": "agent"], minutes: 3))
        state.apply(event("ticket.updated", ["changes": [
            "priority": ["from": "high", "to": "urgent"], "status": ["from": "new", "to": "pending"],
            "custom_fields.plan": ["from": "gold", "to": .null], "tags": ["from": .array(["vip"]), "to": .array([])],
        ]], minutes: 4))
        #expect(state.timeline.events == [
            .status(at: at, to: "new"), .publicReply(at: at.addingTimeInterval(120), byStaff: false),
            .publicReply(at: at.addingTimeInterval(180), byStaff: true), .status(at: at.addingTimeInterval(240), to: "pending"),
        ])
        #expect(state.facts.priority == "urgent" && state.facts.customFields.isEmpty && state.facts.tags.isEmpty)
        #expect(state.status == "pending" && !state.ended)
        state.apply(event("ticket.merged", ["merged_ticket_id": .string(UUID().uuidString)]))
        #expect(!state.ended, "the target of a merge goes on")
        state.apply(event("ticket.merged", ["into_ticket_id": .string(UUID().uuidString)]))
        #expect(state.ended)
        #expect(SLATicketState.started(by: event("ticket.updated", [:])) == nil)
    }

    /// The sla.* events of the test's workspace in outbox order: (type, subject ticket id, metric).
    static func slaEvents(_ h: Harness) async throws -> [(type: String, ticket: String, metric: String?, version: Double?)] {
        try await h.system.database.sql.raw("""
            SELECT envelope FROM outbox WHERE workspace_id = \(bind: h.workspaceID.lowercased) AND type LIKE 'sla.%' ORDER BY seq
            """).all().map { row in
            let e = try EventJSON.decoder().decode(EventEnvelope.self, from: Data(try row.decode(column: "envelope", as: String.self).utf8))
            var version: Double?
            if case .number(let n)? = e.data["sla"]?["version"] { version = n }
            return (e.type, e.subject.id.lowercased, e.data["metric"]?.stringValue, version)
        }
    }

    @Test("the scheduler announces a warning a quarter-hour before a one-hour first reply, then the breach, each once; a late reply is announced as achieved")
    func announcements() async throws {
        try await Harness.run { h in
            h.clock.set(Self.utc("2026-12-07T08:00:00Z"))
            let admin = try await h.admin()
            var agent = try await h.staff("sla-announce-agent@example.com", by: admin)
            _ = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Urgent", "conditions": [["field": "priority", "operator": "is", "value": "urgent"]],
                "targets": ["urgent": ["first_reply": 60, "resolution": 480]], "business_hours": false,
            ], token: admin.accessToken)
            let ticket = try await h.request(.post, "/api/v1/tickets", json: [
                "subject": "Down", "description": "Nothing works", "priority": "urgent",
            ], token: agent.accessToken)
            let id = try #require(ticket["id"])
            try await h.system.settleEvents()
            let scheduler = h.system.automations.breachScheduler
            #expect(try await scheduler.announceDue() == 0, "nothing due at creation")
            #expect(try await Self.slaEvents(h).map(\.type) == ["sla.updated"], "the targets were published once")

            h.clock.set(Self.utc("2026-12-07T08:44:59Z"))
            #expect(try await scheduler.announceDue() == 0)
            h.clock.set(Self.utc("2026-12-07T08:45:00Z"))
            #expect(try await scheduler.announceDue() == 1, "first reply at risk from 08:45")
            #expect(try await scheduler.announceDue() == 0, "announced once")
            h.clock.set(Self.utc("2026-12-07T09:00:30Z"))
            #expect(try await scheduler.announceDue() == 1, "breached at 09:00")
            #expect(try await scheduler.announceDue() == 0)

            // A late reply achieves the target; its breach stays on record and is not announced again.
            agent = try await h.login("sla-announce-agent@example.com", "agent-password")   // the clock moved past the token
            let reply = try await h.request(.post, "/api/v1/tickets/\(id)/comments", json: ["body": "Sorry, on it", "public": true],
                                            token: agent.accessToken)
            #expect(reply.status == 201, "\(reply.text)")
            try await h.system.settleEvents()
            #expect(try await scheduler.announceDue() == 0)
            let events = try await Self.slaEvents(h)
            #expect(events.map { "\($0.type) \($0.metric ?? "")" } == [
                "sla.updated ", "sla.warning first_reply", "sla.breached first_reply", "sla.achieved first_reply",
            ], "\(events)")
            #expect(events.allSatisfy { $0.ticket == id })
            #expect(events.compactMap(\.version) == [1, 2, 3, 4], "each snapshot newer than the one before")
            let sla = try await h.request(.get, "/api/v1/sla/tickets/\(id)", token: agent.accessToken)
            let first = try #require(Self.target(sla.json, "first_reply"))
            #expect(Self.time(first["breached_at"]) == Self.utc("2026-12-07T09:00:00Z") && first["achieved_at"] != nil, "\(sla.text)")
            #expect(Self.time(first["at_risk_at"]) == Self.utc("2026-12-07T08:45:00Z"))
            #expect((sla.json["version"] as? Int) == 4, "\(sla.text)")
        }
    }

    @Test("two schedulers passing at once announce each breach exactly once")
    func concurrentSchedulers() async throws {
        try await Harness.run { h in
            h.clock.set(Self.utc("2026-12-07T08:00:00Z"))
            let admin = try await h.admin()
            let agent = try await h.staff("sla-race-agent@example.com", by: admin)
            _ = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Urgent", "conditions": [["field": "priority", "operator": "is", "value": "urgent"]],
                "targets": ["urgent": ["first_reply": 30]], "business_hours": false,
            ], token: admin.accessToken)
            for n in 0..<40 {
                let t = try await h.request(.post, "/api/v1/tickets", json: [
                    "subject": "Race \(n)", "description": "x", "priority": "urgent",
                ], token: agent.accessToken)
                #expect(t.status == 201)
            }
            try await h.system.settleEvents()
            h.clock.set(Self.utc("2026-12-07T09:00:00Z"))
            // Small batches so the two passes interleave over many transactions.
            let a = SLABreachScheduler(database: h.system.database, clock: h.clock.source, batchSize: 3,
                                       workspaceID: h.workspaceID, logger: .init(label: "a"))
            let b = SLABreachScheduler(database: h.system.database, clock: h.clock.source, batchSize: 3,
                                       workspaceID: h.workspaceID, logger: .init(label: "b"))
            async let first = a.announceDue()
            async let second = b.announceDue()
            let total = try await first + second
            #expect(total == 40, "one breach per ticket between them")
            let breaches = try await Self.slaEvents(h).filter { $0.type == "sla.breached" }
            #expect(breaches.count == 40 && Set(breaches.map(\.ticket)).count == 40)
            #expect(try await Self.slaEvents(h).filter { $0.type == "sla.warning" }.isEmpty,
                    "a warning whose due time has passed is not announced")
        }
    }
}
