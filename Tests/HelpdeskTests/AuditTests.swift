import AuditService
import Foundation
import Gateway
import HelpdeskCore
import Platform
import SQLKit
import Testing

@Suite("Audit")
struct AuditTests {
    @Test("every action is recorded once with who, from where and through what; admins filter and page it")
    func recordsActions() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("c@example.com")
            let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Printer", "description": "Jammed"],
                                              token: customer.accessToken,
                                              headers: ["User-Agent": "Mozilla/5.0 test", "X-Request-Id": "req-audit-1",
                                                        "X-Helpdesk-Client": "web"])
            #expect(created.status == 201)
            let ticketID = try #require(created["id"])
            let patched = try await h.request(.patch, "/api/v1/tickets/\(ticketID)", json: ["priority": "high"],
                                              token: admin.accessToken)
            #expect(patched.status == 200)
            try await h.system.settleEvents()
            try await h.system.settleEvents()   // a second pass redelivers nothing new

            let list = try await h.request(.get, "/api/v1/audit/events?action=ticket.created", token: admin.accessToken)
            #expect(list.status == 200)
            let record = try #require(list.items.first)
            #expect(list.items.count == 1)
            #expect((record["actor"] as? [String: Any])?["id"] as? String == customer.userID)
            #expect((record["actor"] as? [String: Any])?["role"] as? String == "customer")
            #expect((record["subject"] as? [String: Any])?["id"] as? String == ticketID)
            #expect(record["via"] as? String == "ui")
            #expect(record["user_agent"] as? String == "Mozilla/5.0 test")
            #expect(record["request_id"] as? String == "req-audit-1")
            #expect((record["hash"] as? String)?.count == 64)

            let update = try await h.request(.get, "/api/v1/audit/events?action=ticket.updated&subject_id=\(ticketID)",
                                             token: admin.accessToken)
            let changes = ((update.items.first?["data"] as? [String: Any])?["changes"] as? [String: Any])?["priority"]
                as? [String: Any]
            #expect(changes?["from"] as? String == "normal" && changes?["to"] as? String == "high", "before and after")
            #expect(update.items.first?["via"] as? String == "api")

            // Paging: newest first, no record twice, every record once.
            let all = try await h.request(.get, "/api/v1/audit/events?limit=100", token: admin.accessToken).items
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await h.request(.get, "/api/v1/audit/events?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                               token: admin.accessToken)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == all.compactMap { $0["id"] as? String })
            #expect(Set(all.compactMap { $0["event_id"] as? String }).count == all.count, "one record per event")
            let positions = all.compactMap { $0["position"] as? Int }
            #expect(positions == Array((1...all.count).reversed()))

            // Filters are validated; only admins read; nothing can change a record.
            #expect(try await h.request(.get, "/api/v1/audit/events?actor_id=nope", token: admin.accessToken).errorFields == ["actor_id"])
            #expect(try await h.request(.get, "/api/v1/audit/events?from=yesterday", token: admin.accessToken).errorFields == ["from"])
            #expect(try await h.request(.get, "/api/v1/audit/events", token: customer.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/audit/verify").status == 401)
            #expect(try await h.request(.delete, "/api/v1/audit/events", token: admin.accessToken).status == 405)
            #expect(try await h.request(.put, "/api/v1/audit/events", json: [:], token: admin.accessToken).status == 405)
        }
    }

    @Test("verify walks the hash chain and names the first record changed behind its back")
    func tamperEvidence() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            for i in 0..<5 {
                _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "T\(i)", "description": "d"],
                                        token: admin.accessToken)
            }
            try await h.system.settleEvents()
            let ok = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(ok.json["ok"] as? Bool == true)
            let checked = try #require(ok.json["checked"] as? Int)
            #expect(checked >= 10)
            #expect(ok.json["first_bad_id"] == nil)

            let records = try await h.request(.get, "/api/v1/audit/events?limit=100", token: admin.accessToken).items
            let victim = try #require(records.dropFirst(3).first?["id"] as? String)
            let original = try await h.system.database.sql.raw("""
                SELECT actor_role FROM audit_records WHERE id = \(bind: victim)
                """).first()?.decode(column: "actor_role", as: String?.self)
            try await h.system.database.sql.raw("""
                UPDATE audit_records SET actor_role = 'customer' WHERE id = \(bind: victim)
                """).run()
            let bad = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(bad.json["ok"] as? Bool == false)
            #expect(bad["first_bad_id"] == victim)
            try await h.system.database.sql.raw("""
                UPDATE audit_records SET actor_role = \(bind: original) WHERE id = \(bind: victim)
                """).run()
            #expect(try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken).json["ok"] as? Bool == true,
                    "restored, the chain verifies again")
            // Deleting the newest records leaves nothing to name, but the chain head knows.
            try await h.system.database.sql.raw("""
                DELETE FROM audit_records WHERE workspace_id = \(bind: h.workspaceID.lowercased)
                  AND position = (SELECT MAX(position) FROM audit_records WHERE workspace_id = \(bind: h.workspaceID.lowercased))
                """).run()
            let truncated = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(truncated.json["ok"] as? Bool == false)
            #expect(truncated["problem"]?.contains("missing") == true)
        }
    }

    @Test("exports stream every matching record as JSON Lines or CSV, defusing spreadsheet formulas")
    func exports() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "=HYPERLINK(\"x\")", "description": "a,b\n\"c\""],
                                    token: admin.accessToken)
            try await h.system.settleEvents()
            let count = try await h.request(.get, "/api/v1/audit/events?limit=100", token: admin.accessToken).items.count
            let jsonl = try await h.request(.get, "/api/v1/audit/export?format=jsonl", token: admin.accessToken)
            #expect(jsonl.status == 200)
            #expect(jsonl.header("Content-Type") == "application/x-ndjson")
            let lines = jsonl.text.split(separator: "\n")
            #expect(lines.count == count)
            let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
            #expect(first?["position"] as? Int == 1, "oldest first")
            let csv = try await h.request(.get, "/api/v1/audit/export?format=csv&action=ticket.created", token: admin.accessToken)
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("id,position,"))
            #expect(csv.text.contains("ticket.created"))
            #expect(!csv.text.contains(",=HYPERLINK"), "a formula never starts a cell")
            #expect(try await h.request(.get, "/api/v1/audit/export?format=xml", token: admin.accessToken).errorFields == ["format"])
        }
    }

    @Test("retention prunes old records and leaves a chain that still verifies from its checkpoint")
    func retention() async throws {
        try await Harness.run { h in
            let first = try await h.admin()
            for i in 0..<3 {
                _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Old \(i)", "description": "d"],
                                        token: first.accessToken)
            }
            try await h.system.settleEvents()
            h.clock.advance(40 * 86_400)
            let admin = try await h.login("admin@example.com", "admin-password")   // the old token expired
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "New", "description": "d"], token: admin.accessToken)
            try await h.system.settleEvents()
            let before = try await h.request(.get, "/api/v1/audit/events?limit=100", token: admin.accessToken).items.count
            let removed = try await h.system.audit.log.prune(before: h.clock.now.addingTimeInterval(-30 * 86_400),
                                                                 workspaceID: h.workspaceID)
            #expect(removed >= 7, "admin creation, login, three tickets with their first comments")
            let after = try await h.request(.get, "/api/v1/audit/events?limit=100", token: admin.accessToken).items
            #expect(after.count == before - removed + 1)
            #expect(after.first?["action"] as? String == "audit.pruned")
            let verify = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(verify.json["ok"] as? Bool == true)
            #expect(verify.json["checked"] as? Int == after.count)
        }
    }

    /// `test.audit` events carrying their index as `data.i`.
    func numberedEvents(_ count: Int, in workspaceID: UUID) -> [EventEnvelope] {
        (0..<count).map { i in
            EventEnvelope(type: "test.audit", workspaceID: workspaceID, actor: .system,
                          subject: EventSubject(type: "test", id: UUIDv7.make()), occurredAt: Date(),
                          data: ["i": .number(Double(i))])
        }
    }

    @Test("two consumers recording the same events at once still write one record each, in one chain")
    func concurrentRecording() async throws {
        try await Harness.run { h in
            let events = numberedEvents(40, in: h.workspaceID)
            let log = h.system.audit.log
            let written = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask { var n = 0; for e in events where try await log.record(e) { n += 1 }; return n }
                }
                return try await group.reduce(0, +)
            }
            #expect(written == 40)
            let admin = try await h.admin()
            let verify = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(verify.json["ok"] as? Bool == true)
        }
    }

    @Test("a batch records each new event once, in order, skipping ones already recorded or repeated in the batch")
    func batchRecording() async throws {
        try await Harness.run { h in
            let events = numberedEvents(6, in: h.workspaceID)
            let log = h.system.audit.log
            #expect(try await log.record(events[1]))
            // A redelivered event (1), one repeated within the batch (3), and the rest new.
            #expect(try await log.record([events[0], events[1], events[2], events[3], events[3], events[4]]) == 4)
            #expect(try await log.record([events[4], events[5]]) == 1)
            let admin = try await h.admin()
            try await h.system.settleEvents()
            let recorded = try await h.request(.get, "/api/v1/audit/events?action=test.audit&limit=100", token: admin.accessToken).items
            // Newest first: the order the batch gave, after the single event recorded first.
            #expect(Array(recorded.compactMap { ($0["data"] as? [String: Any])?["i"] as? Int }.reversed()) == [1, 0, 2, 3, 4, 5])
            let verify = try await h.request(.get, "/api/v1/audit/verify", token: admin.accessToken)
            #expect(verify.json["ok"] as? Bool == true)
        }
    }
}
