import Foundation
import HelpdeskCore
import Testing
@testable import TicketService

@Suite("Ticket search")
struct TicketSearchTests {
    @Test("q searches subject and comments; customers never match internal notes")
    func searchScenario() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let customer = try await h.customer("cust@example.com")
            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Invoice wrong", "description": "Charged twice",
                                                                       "tags": ["billing-x1"]], token: customer.accessToken)
            let id = try #require(t["id"])
            _ = try await h.request(.post, "/api/v1/tickets/\(id)/comments",
                                    json: ["body": "Refund via the zanzibar ledger", "public": false], token: agent.accessToken)
            _ = try await h.request(.patch, "/api/v1/tickets/\(id)", json: ["status": "solved"], token: agent.accessToken)
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Other thing", "description": "zanzibar mentioned publicly",
                                                                   "tags": ["other"]], token: admin.accessToken)

            let q = "status:solved%20tag:billing-x1%20zanzibar"
            let agentHits = try await h.request(.get, "/api/v1/tickets?q=\(q)", token: agent.accessToken)
            #expect(agentHits.status == 200, "\(agentHits.text)")
            #expect(agentHits.items.compactMap { $0["id"] as? String } == [id])
            let customerHits = try await h.request(.get, "/api/v1/tickets?q=\(q)", token: customer.accessToken)
            #expect(customerHits.status == 200)
            #expect(customerHits.items.isEmpty)
            let ownWords = try await h.request(.get, "/api/v1/tickets?q=charged", token: customer.accessToken)
            #expect(ownWords.items.compactMap { $0["id"] as? String } == [id])
            #expect(try await h.request(.get, "/api/v1/tickets?q=zanzibar", token: customer.accessToken).items.isEmpty,
                    "the public zanzibar ticket is someone else's")
        }
    }

    @Test("a comment adds to the search documents exactly what a rebuild writes; an internal note only to staff's")
    func commentDocuments() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let customer = try await h.customer("cust@example.com")
            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Scanner jams", "description": "Every morning"],
                                        token: customer.accessToken)
            let id = try #require(t["id"] as? String)
            for (body, isPublic) in [("Try the quokka tray", true), ("Known firmware bug, see wombat", false),
                                     ("Une réponse accentuée ✓", true)] {
                let c = try await h.request(.post, "/api/v1/tickets/\(id)/comments", json: ["body": body, "public": isPublic],
                                            token: agent.accessToken)
                #expect(c.status == 201, "\(c.text)")
            }
            let db = h.system.database
            func documents() async throws -> [String: String] {
                var out: [String: String] = [:]
                for row in try await db.sql.raw("SELECT scope, body FROM ticket_search WHERE ticket_id = \(bind: id)").all() {
                    out[try row.decode(column: "scope", as: String.self)] = try row.decode(column: "body", as: String.self)
                }
                return out
            }
            let written = try await documents()
            #expect(written["public"] == "Scanner jams\nEvery morning\nTry the quokka tray\nUne réponse accentuée ✓")
            #expect(written["all"] == "Scanner jams\nEvery morning\nTry the quokka tray\nKnown firmware bug, see wombat\nUne réponse accentuée ✓")
            let store = TicketStore(kind: db.kind)
            try await db.transaction { try await store.reindex(ticketID: UUID(uuidString: id)!, on: $0) }
            #expect(try await documents() == written)
            #expect(try await h.request(.get, "/api/v1/tickets?q=wombat", token: agent.accessToken).items.count == 1)
            #expect(try await h.request(.get, "/api/v1/tickets?q=wombat", token: customer.accessToken).items.isEmpty)
            #expect(try await h.request(.get, "/api/v1/tickets?q=quokka", token: customer.accessToken).items.count == 1)
        }
    }

    @Test("a search matching more tickets than the ranking limit comes newest first, filters and pages included")
    func broadSearch() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let me = Principal(userID: try #require(UUID(uuidString: admin.userID)), workspaceID: h.workspaceID,
                               role: .admin, sessionID: UUID())
            var ids: [String] = []
            for n in 0..<7 {
                // More mentions of the word rank a ticket higher; the newest mention it least.
                let body = Array(repeating: "quokka", count: 7 - n).joined(separator: " ")
                let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Animal \(n)", "description": body,
                                                                           "priority": n % 2 == 0 ? "high" : "low"],
                                            token: admin.accessToken)
                ids.append(try #require(t["id"] as? String))
            }
            // The newest ticket passes the filters below but not the text: a window must not take its place for a match.
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Unrelated", "description": "wombat",
                                                                    "priority": "high"], token: admin.accessToken)
            var tickets = h.system.tickets.tickets
            func search(_ q: String, limit: Int = 25, after: String? = nil) async throws -> Page<Ticket> {
                try await tickets.list(me, query: { $0 == "q" ? q : nil }, page: PageRequest(limit: limit, after: after))
            }
            // Under the limit: by relevance, so the oldest (most mentions) first.
            tickets.relevanceLimitOverride = 100
            #expect(try await search("quokka").items.map(\.id.lowercased) == ids)
            // Over it: newest first, from the index; fields still filter; the cursor pages through the rest.
            tickets.relevanceLimitOverride = 3
            #expect(try await search("quokka").items.map(\.id.lowercased) == Array(ids.reversed()))
            #expect(try await search("quokka priority:high").items.map(\.id.lowercased) == [ids[6], ids[4], ids[2], ids[0]])
            // With filters, PostgreSQL first probes a window of the newest filtered tickets, and joins every match
            // when the window does not fill the page: the same pages either way, cursor included.
            for window in [1, 3, 4, 5, 100] {
                tickets.probeWindowOverride = window
                let high = try await search("quokka priority:high status:new status:open", limit: 2)
                #expect(high.items.map(\.id.lowercased) == [ids[6], ids[4]], "window \(window)")
                let after = try #require(high.nextCursor.flatMap(Cursor.decode))
                let more = try await search("quokka priority:high status:new status:open", limit: 2, after: after)
                #expect(more.items.map(\.id.lowercased) == [ids[2], ids[0]], "window \(window)")
                #expect(more.nextCursor == nil)
                #expect(try await search("quokka -animal priority:high").items.isEmpty)
            }
            tickets.probeWindowOverride = nil
            let first = try await search("quokka", limit: 4)
            #expect(first.items.map(\.id.lowercased) == Array(ids.reversed().prefix(4)))
            // The first page's order holds for the next ones, even if the count would now choose the other.
            tickets.relevanceLimitOverride = 100
            let rest = try await search("quokka", limit: 4, after: Cursor.decode(try #require(first.nextCursor)))
            #expect(rest.items.map(\.id.lowercased) == Array(ids.reversed().suffix(3)))
            #expect(rest.nextCursor == nil)
            let ranked = try await search("quokka", limit: 4)
            #expect(ranked.items.map(\.id.lowercased) == Array(ids.prefix(4)))
            tickets.relevanceLimitOverride = 3
            let rankedRest = try await search("quokka", limit: 4, after: Cursor.decode(try #require(ranked.nextCursor)))
            #expect(rankedRest.items.map(\.id.lowercased) == Array(ids.suffix(3)))
            // A cursor from before the order was carried still pages; the order is chosen again.
            #expect(try await search("quokka", limit: 4, after: "rel:4").items.map(\.id.lowercased) == Array(ids.reversed().suffix(3)))
            await #expect(throws: HelpdeskError.self) { try await search("quokka", after: "newest:-1") }
            await #expect(throws: HelpdeskError.self) { try await search("quokka", after: "2026-01-01|x") }
            #expect(try await search("quokka -animal").items.isEmpty, "an excluded word still excludes")
        }
    }

    @Test("field syntax, phrases, exclusions, ranking and hostile input")
    func syntax() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let alice = try await h.customer("alice@example.com")
            func create(_ subject: String, _ body: String, _ token: String, priority: String = "normal") async throws -> String {
                let r = try await h.request(.post, "/api/v1/tickets", json: ["subject": subject, "description": body,
                                                                           "priority": priority], token: token)
                return try #require(r["id"])
            }
            let a = try await create("Printer jam", "The paper tray is stuck", alice.accessToken, priority: "high")
            let b = try await create("Paper order", "paper paper paper, we need more paper", admin.accessToken)
            let c = try await create("Tray light", "The tray is blinking red", admin.accessToken)
            func ids(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let r = try await h.request(.get, "/api/v1/tickets?q=\(encoded)", token: admin.accessToken)
                #expect(r.status == 200, "\(q): \(r.text)")
                return r.items.compactMap { $0["id"] as? String }
            }
            #expect(try await ids("paper").first == b, "the ticket saying paper most often ranks first")
            #expect(Set(try await ids("paper")) == [a, b])
            #expect(try await ids("\"tray is stuck\"") == [a])
            #expect(Set(try await ids("tray")) == [a, c])
            #expect(try await ids("tray -blinking") == [a])
            #expect(try await ids("priority:high paper") == [a])
            #expect(try await ids("requester:alice@example.com") == [a])
            #expect(try await ids("requester:nobody@example.com").isEmpty)
            #expect(Set(try await ids("created>2000-01-01")) == [a, b, c])
            #expect(try await ids("created<2000-01-01").isEmpty)
            for hostile in ["NEAR(paper tray)", "paper*", "\"unterminated", "'; DROP TABLE tickets; --", "tray OR 1=1", "^paper",
                            "-", "\"\"", "\"", "*", "(", "NOT", "-\"\"", "-paper -tray", "é", "🚀", "http://x.test/a", "1:2"] {
                _ = try await ids(hostile)
            }
            #expect(Set(try await ids("paper")) == [a, b], "still intact after hostile queries")
            let unknown = try await h.request(.get, "/api/v1/tickets?q=colour:red%20paper", token: admin.accessToken)
            #expect(unknown.status == 400)
            #expect(unknown["detail"]?.contains("colour") == true)
            #expect(try await h.request(.get, "/api/v1/tickets?q=a:b:c", token: admin.accessToken).status == 400)
            // Control characters are refused (the full-text index cannot take a NUL); line breaks are spaces.
            let nul = try await h.request(.get, "/api/v1/tickets?q=paper%00", token: admin.accessToken)
            #expect(nul.status == 400 && nul.code == "invalid_parameter")
            #expect(Set(try await ids("paper\ntray")) == [a])
            let view = try await h.request(.post, "/api/v1/views", json: ["title": "t", "filters": ["q": "a\u{0}"]], token: admin.accessToken)
            #expect(view.status == 422 && view.errorFields == ["filters.q"])
            let badStatus = try await h.request(.get, "/api/v1/tickets?q=status:lost", token: admin.accessToken)
            #expect(badStatus.status == 400)
            // Relevance pages with an offset cursor.
            let first = try await h.request(.get, "/api/v1/tickets?q=paper&limit=1", token: admin.accessToken)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await h.request(.get, "/api/v1/tickets?q=paper&limit=1&cursor=\(cursor)", token: admin.accessToken)
            #expect(second.items.compactMap { $0["id"] as? String } == [a])
            #expect(second.json["next_cursor"] is NSNull)
        }
    }
}
