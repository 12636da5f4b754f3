import Foundation
import Testing

@Suite("Saved views: columns, team views, each agent's order, live counts")
struct SavedViewTests {
    @Test("a view keeps its columns; unknown or repeated columns are refused by index")
    func columns() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("a1@example.com", by: admin)
            let made = try await h.request(.post, "/api/v1/views", json: ["title": "Compact", "columns": ["number", "subject", "tags"],
                                                                        "filters": ["status": "new,open"], "sort": "-updated_at"],
                                           token: agent.accessToken)
            #expect(made.status == 201, "\(made.text)")
            #expect(made.json["columns"] as? [String] == ["number", "subject", "tags"])
            #expect(made.json["team_id"] is NSNull)
            let id = try #require(made["id"])
            let read = try await h.request(.get, "/api/v1/views/\(id)", token: agent.accessToken)
            #expect(read.json["columns"] as? [String] == ["number", "subject", "tags"], "stored, not only echoed")
            let unknown = try await h.request(.patch, "/api/v1/views/\(id)", json: ["columns": ["number", "colour"]],
                                              token: agent.accessToken)
            #expect(unknown.status == 422)
            #expect(unknown.errorFields == ["columns[1]"])
            let twice = try await h.request(.patch, "/api/v1/views/\(id)", json: ["columns": ["number", "subject", "number"]],
                                            token: agent.accessToken)
            #expect(twice.status == 422)
            #expect(twice.errorFields == ["columns[2]"])
            let wrongType = try await h.request(.patch, "/api/v1/views/\(id)", json: ["columns": "number"], token: agent.accessToken)
            #expect(wrongType.status == 422)
            #expect(wrongType.errorFields == ["columns"])
            let unchanged = try await h.request(.get, "/api/v1/views/\(id)", token: agent.accessToken)
            #expect(unchanged.json["columns"] as? [String] == ["number", "subject", "tags"], "a refused change writes nothing")
            let cleared = try await h.request(.patch, "/api/v1/views/\(id)", json: ["columns": [String]()], token: agent.accessToken)
            #expect(cleared.json["columns"] as? [String] == [], "empty means the default columns")
            let legacy = try await h.request(.post, "/api/v1/views", json: ["title": "Plain"], token: agent.accessToken)
            #expect(legacy.json["columns"] as? [String] == [])
        }
    }

    @Test("a team view is seen and changed by the team's members and admins only")
    func teamViews() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let member = try await h.staff("member@example.com", by: admin)
            let outsider = try await h.staff("outsider@example.com", by: admin)
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Tier 1"], token: admin.accessToken)
            let teamID = try #require(team["id"])
            _ = try await h.request(.put, "/api/v1/teams/\(teamID)/members/\(member.userID)", token: admin.accessToken)

            let made = try await h.request(.post, "/api/v1/views", json: ["title": "Tier 1 queue", "shared": true, "team_id": teamID,
                                                                        "filters": ["team_id": teamID]], token: member.accessToken)
            #expect(made.status == 201, "a member shares a view with their team: \(made.text)")
            #expect(made["team_id"] == teamID)
            let id = try #require(made["id"])
            let outsiders = try await h.request(.get, "/api/v1/views", token: outsider.accessToken)
            #expect(!outsiders.items.contains { $0["id"] as? String == id }, "not listed outside the team")
            #expect(try await h.request(.get, "/api/v1/views/\(id)", token: outsider.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/views/\(id)/tickets", token: outsider.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/views", token: admin.accessToken).items.contains { $0["id"] as? String == id })
            #expect(try await h.request(.patch, "/api/v1/views/\(id)", json: ["title": "Tier one"], token: admin.accessToken).status == 200)

            let intoTeam = try await h.request(.post, "/api/v1/views", json: ["title": "Not mine", "shared": true, "team_id": teamID],
                                               token: outsider.accessToken)
            #expect(intoTeam.status == 403, "an agent outside the team cannot share with it")
            let widen = try await h.request(.patch, "/api/v1/views/\(id)", json: ["team_id": NSNull()], token: member.accessToken)
            #expect(widen.status == 403, "a member cannot turn a team view into a workspace view")
            #expect(try await h.request(.get, "/api/v1/views/\(id)", token: member.accessToken)["team_id"] == teamID)

            let unshared = try await h.request(.post, "/api/v1/views", json: ["title": "x", "team_id": teamID], token: member.accessToken)
            #expect(unshared.status == 422)
            #expect(unshared.errorFields == ["team_id"])
            let noTeam = try await h.request(.post, "/api/v1/views", json: ["title": "x", "shared": true, "team_id": UUID().uuidString],
                                             token: admin.accessToken)
            #expect(noTeam.status == 422)
            #expect(noTeam.errorFields == ["team_id"])
            let notUUID = try await h.request(.post, "/api/v1/views", json: ["title": "x", "shared": true, "team_id": "'; DROP TABLE x"],
                                              token: admin.accessToken)
            #expect(notUUID.status == 422)
            #expect(notUUID.errorFields == ["team_id"])

            _ = try await h.request(.delete, "/api/v1/teams/\(teamID)/members/\(member.userID)", token: admin.accessToken)
            #expect(try await h.request(.get, "/api/v1/views/\(id)", token: member.accessToken).status == 200,
                    "its owner keeps it after leaving the team")
        }
    }

    @Test("each agent orders the views they see; unknown, foreign and repeated ids are refused")
    func order() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("a1@example.com", by: admin)
            let other = try await h.staff("a2@example.com", by: admin)
            var ids: [String] = []
            for title in ["A", "B", "C"] {
                let v = try await h.request(.post, "/api/v1/views", json: ["title": title, "shared": true], token: admin.accessToken)
                ids.append(try #require(v["id"]))
            }
            let mine = try await h.request(.post, "/api/v1/views", json: ["title": "Mine"], token: agent.accessToken)
            let mineID = try #require(mine["id"])
            let private_ = try await h.request(.post, "/api/v1/views", json: ["title": "Theirs"], token: other.accessToken)
            let theirs = try #require(private_["id"])
            let titles = { (token: String) in
                try await h.request(.get, "/api/v1/views", token: token).items.compactMap { $0["title"] as? String }
            }
            #expect(try await titles(agent.accessToken) == ["A", "B", "C", "Mine"], "oldest first until ordered")

            let put = try await h.request(.put, "/api/v1/views/order", json: ["ids": [mineID, ids[2], ids[0]]], token: agent.accessToken)
            #expect(put.status == 200, "\(put.text)")
            #expect(put.items.compactMap { $0["title"] as? String } == ["Mine", "C", "A", "B"], "views left out follow")
            #expect(try await titles(agent.accessToken) == ["Mine", "C", "A", "B"])
            #expect(try await titles(other.accessToken) == ["A", "B", "C", "Theirs"], "one agent's order is theirs alone")

            let bad = try await h.request(.put, "/api/v1/views/order", json: ["ids": [ids[1], theirs, ids[1], "nope", UUID().uuidString]],
                                          token: agent.accessToken)
            #expect(bad.status == 422)
            #expect(bad.errorFields == ["ids[1]", "ids[2]", "ids[3]", "ids[4]"])
            #expect(try await titles(agent.accessToken) == ["Mine", "C", "A", "B"], "a refused order writes nothing")
            let missing = try await h.request(.put, "/api/v1/views/order", json: [String: String](), token: agent.accessToken)
            #expect(missing.errorFields == ["ids"])

            #expect(try await h.request(.delete, "/api/v1/views/\(ids[2])", token: admin.accessToken).status == 204)
            #expect(try await titles(agent.accessToken) == ["Mine", "A", "B"], "a deleted view leaves the order")
        }
    }

    @Test("GET /tickets/counts counts each saved view the agent sees, and follows new tickets")
    func counts() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("a1@example.com", by: admin)
            let other = try await h.staff("a2@example.com", by: admin)
            let view = try await h.request(.post, "/api/v1/views", json: ["title": "Urgent", "filters": ["priority": "urgent"]],
                                           token: agent.accessToken)
            let id = try #require(view["id"])
            #expect(try await h.request(.get, "/api/v1/tickets/counts", token: agent.accessToken).json[id] as? Int == 0)
            for priority in ["urgent", "urgent", "low"] {
                _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d", "priority": priority],
                                        token: admin.accessToken)
            }
            let counts = try await h.request(.get, "/api/v1/tickets/counts", token: agent.accessToken).json
            #expect(counts[id] as? Int == 2)
            #expect(counts["all_open"] as? Int == 3, "the standard views are still counted")
            #expect(try await h.request(.get, "/api/v1/tickets/counts", token: other.accessToken).json[id] == nil,
                    "another agent's personal view is not counted for them")
        }
    }
}
