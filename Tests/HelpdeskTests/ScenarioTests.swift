import Foundation
import Testing

/// The foundation's acceptance scenario, through HTTP, on whichever backend the suite runs on.
@Suite("Foundation scenario")
struct ScenarioTests {
    @Test("admin, customer, tokens, sessions, agent, organization and team")
    func fullScenario() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("carol@example.com", name: "Carol")

            // Refresh: a new pair; the old refresh token then fails and the session is revoked.
            let refreshed = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": customer.refreshToken])
            #expect(refreshed.status == 200)
            let newRefresh = try #require(refreshed["refresh_token"])
            #expect(newRefresh != customer.refreshToken)
            let replay = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": customer.refreshToken])
            #expect(replay.status == 401)
            #expect(replay.code == "refresh_token_reused")
            let afterReuse = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": newRefresh])
            #expect(afterReuse.status == 401, "the whole family is revoked")

            // Sessions: list, then revoke one.
            let second = try await h.login("carol@example.com", "customer-pw")
            let sessions = try await h.request(.get, "/api/v1/auth/sessions", token: second.accessToken)
            #expect(sessions.status == 200)
            #expect(sessions.items.count == 1, "only the live session is listed: \(sessions.text)")
            #expect(sessions.items.first?["current"] as? Bool == true)
            let sessionID = try #require(sessions.items.first?["id"] as? String)
            let revoked = try await h.request(.delete, "/api/v1/auth/sessions/\(sessionID)", token: second.accessToken)
            #expect(revoked.status == 204)
            let dead = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": second.refreshToken])
            #expect(dead.status == 401)

            // An agent, an organization and a team with the agent in it.
            let agent = try await h.staff("agent@example.com", by: admin)
            let org = try await h.request(.post, "/api/v1/organizations",
                                          json: ["name": "Acme", "domains": ["acme.example"], "shared_tickets": true],
                                          token: admin.accessToken)
            #expect(org.status == 201)
            #expect(org["name"] == "Acme")
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Tier 1", "description": "First line"],
                                           token: admin.accessToken)
            #expect(team.status == 201)
            let teamID = try #require(team["id"])
            let joined = try await h.request(.put, "/api/v1/teams/\(teamID)/members/\(agent.userID)", token: admin.accessToken)
            #expect(joined.status == 200)
            #expect(joined.json["member_ids"] as? [String] == [agent.userID])

            // A customer may not list users.
            let third = try await h.login("carol@example.com", "customer-pw")
            let forbidden = try await h.request(.get, "/api/v1/users", token: third.accessToken)
            #expect(forbidden.status == 403)
            #expect(forbidden.header("Content-Type") == "application/problem+json")

            // Malformed JSON, a missing field and a wrong type are 4xx problems naming the field.
            let malformed = try await h.request(.post, "/api/v1/organizations", raw: "{\"name\": ", token: admin.accessToken)
            #expect(malformed.status == 400)
            #expect(malformed.code == "malformed_request")
            let missing = try await h.request(.post, "/api/v1/auth/login", json: ["email": "carol@example.com"])
            #expect(missing.status == 422)
            #expect(missing.errorFields == ["password"])
            let wrongType = try await h.request(.post, "/api/v1/teams", json: ["name": 42], token: admin.accessToken)
            #expect(wrongType.status == 422)
            #expect(wrongType.errorFields == ["name"])
        }
    }
}
