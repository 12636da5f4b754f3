import Foundation
import HelpdeskCore
import Platform
import Testing

@Suite("Users, organizations, teams")
struct UserTests {
    @Test("admins create agents and admins; agents and customers cannot create users")
    func createUsers() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("tia@example.com", by: admin)
            let customer = try await h.customer("uma@example.com")
            let body: [String: Any] = ["email": "new@example.com", "name": "New", "role": "agent"]
            #expect(try await h.request(.post, "/api/v1/users", json: body, token: agent.accessToken).status == 403)
            #expect(try await h.request(.post, "/api/v1/users", json: body, token: customer.accessToken).status == 403)
            #expect(try await h.request(.post, "/api/v1/users", json: body).status == 401)
            let created = try await h.request(.post, "/api/v1/users", json: body, token: admin.accessToken)
            #expect(created.status == 201)
            #expect(created["role"] == "agent")
            #expect(created["locale"] == "en")
            #expect(created["time_zone"] == "UTC")
            #expect(created.json["organization_id"] is NSNull)
        }
    }

    @Test("user input is validated field by field: shape at the edge, then meaning, each reporting every problem at once")
    func validation() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            // The gateway checks the body's shape against the API document (types, enums, unknown fields)...
            let shape = try await h.request(.post, "/api/v1/users", json: [
                "email": "not-an-email", "name": 5, "role": "superuser", "locale": "en", "time_zone": "UTC",
            ], token: admin.accessToken)
            #expect(shape.status == 422)
            #expect(Set(shape.errorFields) == ["name", "role"])
            // ...and a body of the right shape is checked for meaning by the service.
            let r = try await h.request(.post, "/api/v1/users", json: [
                "email": "not-an-email", "name": "  ", "role": "agent", "locale": "english!", "time_zone": "Mars/Base",
            ], token: admin.accessToken)
            #expect(r.status == 422)
            #expect(Set(r.errorFields) == ["email", "name", "locale", "time_zone"])
            let unknown = try await h.request(.post, "/api/v1/users", json: ["email": "s@example.com", "name": "S", "shoe_size": 42],
                                              token: admin.accessToken)
            #expect(unknown.errorFields == ["shoe_size"])
            let ctl = try await h.request(.post, "/api/v1/users", json: ["email": "x@example.com", "name": "a\u{0007}b"],
                                          token: admin.accessToken)
            #expect(ctl.errorFields == ["name"])
            let pw = try await h.request(.post, "/api/v1/users",
                                         json: ["email": "x@example.com", "name": "X", "password": "short"],
                                         token: admin.accessToken)
            #expect(pw.errorFields == ["password"])
            // Nothing was created by the refused requests.
            let list = try await h.request(.get, "/api/v1/users?q=x%40example", token: admin.accessToken)
            #expect(list.items.isEmpty)
        }
    }

    @Test("unicode and injection-looking input is stored and found literally")
    func hostileStrings() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let name = "Zoë 🚀 O'Brien\"; DROP TABLE users; --"
            let r = try await h.request(.post, "/api/v1/users", json: ["email": "zoe@example.com", "name": name, "role": "agent"],
                                        token: admin.accessToken)
            #expect(r.status == 201)
            #expect(r["name"] == name)
            let found = try await h.request(.get, "/api/v1/users?q=%25", token: admin.accessToken)
            #expect(found.items.isEmpty, "% is matched literally, not as a wildcard")
            let byName = try await h.request(.get, "/api/v1/users?q=DROP%20TABLE", token: admin.accessToken)
            #expect(byName.items.count == 1)
        }
    }

    @Test("list filters by role, organization and text, and pages with a cursor")
    func listAndPaging() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            for i in 0..<5 { _ = try await h.customer("c\(i)@example.com", name: "Cust \(i)") }
            let agent = try await h.staff("vic@example.com", by: admin)
            let customers = try await h.request(.get, "/api/v1/users?role=customer", token: agent.accessToken)
            #expect(customers.items.count == 5)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/users?role=customer&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await h.request(.get, path, token: agent.accessToken)
                #expect(page.status == 200)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            let text = try await h.request(.get, "/api/v1/users?q=cust%203", token: agent.accessToken)
            #expect(text.items.count == 1)
            let badRole = try await h.request(.get, "/api/v1/users?role=boss", token: agent.accessToken)
            #expect(badRole.status == 400)
            #expect(badRole.errorFields == ["role"])
            #expect(try await h.request(.get, "/api/v1/users?limit=1000", token: agent.accessToken).errorFields == ["limit"])
            #expect(try await h.request(.get, "/api/v1/users?cursor=%%%", token: agent.accessToken).errorFields == ["cursor"])
        }
    }

    @Test("customers see only themselves; only admins change roles")
    func permissions() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("wes@example.com", by: admin)
            let a = try await h.customer("xan@example.com")
            let b = try await h.customer("yves@example.com")
            #expect(try await h.request(.get, "/api/v1/users/\(b.userID)", token: a.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/users/\(a.userID)", token: a.accessToken).status == 200)
            #expect(try await h.request(.get, "/api/v1/users/\(a.userID)", token: agent.accessToken).status == 200)
            // Customers change their own profile, not their role or anyone else's.
            #expect(try await h.request(.patch, "/api/v1/users/me", json: ["name": "Xan B."], token: a.accessToken)["name"] == "Xan B.")
            #expect(try await h.request(.patch, "/api/v1/users/me", json: ["role": "admin"], token: a.accessToken).status == 422)
            #expect(try await h.request(.patch, "/api/v1/users/\(a.userID)", json: ["role": "admin"], token: a.accessToken).status == 403)
            #expect(try await h.request(.patch, "/api/v1/users/\(b.userID)", json: ["name": "x"], token: a.accessToken).status == 404)
            // Agents edit customers' profiles but not roles.
            #expect(try await h.request(.patch, "/api/v1/users/\(a.userID)", json: ["name": "By Agent"], token: agent.accessToken).status == 200)
            #expect(try await h.request(.patch, "/api/v1/users/\(a.userID)", json: ["role": "agent"], token: agent.accessToken).status == 403)
            #expect(try await h.request(.delete, "/api/v1/users/\(a.userID)", token: agent.accessToken).status == 403)
            // Admins do.
            let promoted = try await h.request(.patch, "/api/v1/users/\(a.userID)", json: ["role": "agent"], token: admin.accessToken)
            #expect(promoted["role"] == "agent")
        }
    }

    @Test("the last active admin can be neither demoted nor deactivated")
    func lastAdmin() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let demote = try await h.request(.patch, "/api/v1/users/\(admin.userID)", json: ["role": "agent"], token: admin.accessToken)
            #expect(demote.status == 409)
            #expect(demote.code == "last_admin")
            #expect(try await h.request(.delete, "/api/v1/users/\(admin.userID)", token: admin.accessToken).status == 409)
            _ = try await h.staff("second-admin@example.com", role: "admin", by: admin)
            #expect(try await h.request(.patch, "/api/v1/users/\(admin.userID)", json: ["role": "agent"], token: admin.accessToken).status == 200)
        }
    }

    @Test("another workspace's users, organizations and teams do not exist for you")
    func workspaceIsolation() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("zed@example.com")
            let org = try await h.request(.post, "/api/v1/organizations", json: ["name": "Mine"], token: admin.accessToken)
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Mine"], token: admin.accessToken)
            // An admin of another workspace, signed by the same install.
            let other = UUIDv7.make()
            let stranger = try await h.system.users.accounts.createAdmin(workspaceID: other, email: "admin@example.com",
                                                                         name: "Other", password: "other-password")
            let token = try await h.system.tokens.issue(for: Principal(userID: stranger.id, workspaceID: other, role: .admin,
                                                                       sessionID: UUID()))
            #expect(try await h.request(.get, "/api/v1/users/\(customer.userID)", token: token).status == 404)
            #expect(try await h.request(.patch, "/api/v1/users/\(customer.userID)", json: ["name": "pwned"], token: token).status == 404)
            #expect(try await h.request(.delete, "/api/v1/users/\(customer.userID)", token: token).status == 404)
            #expect(try await h.request(.get, "/api/v1/organizations/\(org["id"]!)", token: token).status == 404)
            #expect(try await h.request(.delete, "/api/v1/teams/\(team["id"]!)", token: token).status == 404)
            #expect(try await h.request(.put, "/api/v1/teams/\(team["id"]!)/members/\(stranger.id.lowercased)", token: token).status == 404)
            let list = try await h.request(.get, "/api/v1/users", token: token)
            #expect(list.items.map { $0["email"] as? String } == ["admin@example.com"])
            #expect(list.items.first?["id"] as? String == stranger.id.lowercased)
            // Setting another workspace's organization on a user is refused.
            let bad = try await h.request(.patch, "/api/v1/users/\(stranger.id.lowercased)",
                                          json: ["organization_id": org["id"]!], token: token)
            #expect(bad.status == 422)
            #expect(bad.errorFields == ["organization_id"])
        }
    }

    @Test("organizations: admins manage, agents read, customers see their own name only")
    func organizations() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("ann@example.com", by: admin)
            let customer = try await h.customer("bob@example.com")
            let created = try await h.request(.post, "/api/v1/organizations",
                                              json: ["name": "Globex", "domains": ["Globex.example", "globex.example"]],
                                              token: admin.accessToken)
            #expect(created.status == 201)
            #expect(created.json["domains"] as? [String] == ["globex.example"])
            #expect(created.json["shared_tickets"] as? Bool == false)
            let id = try #require(created["id"])
            #expect(try await h.request(.post, "/api/v1/organizations", json: ["name": "GLOBEX"], token: admin.accessToken).code == "name_taken")
            #expect(try await h.request(.post, "/api/v1/organizations", json: ["name": "X", "domains": ["not a domain"]],
                                        token: admin.accessToken).errorFields == ["domains[0]"])
            #expect(try await h.request(.post, "/api/v1/organizations", json: ["name": "Y"], token: agent.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/organizations", token: agent.accessToken).items.count == 1)
            #expect(try await h.request(.get, "/api/v1/organizations", token: customer.accessToken).status == 403)
            let foreignCursor = Cursor.encode("not-an-id")
            for list in ["organizations", "teams"] {
                #expect(try await h.request(.get, "/api/v1/\(list)?cursor=\(foreignCursor)", token: agent.accessToken).errorFields == ["cursor"])
            }
            #expect(try await h.request(.get, "/api/v1/organizations/\(id)", token: customer.accessToken).status == 404)
            let joined = try await h.request(.patch, "/api/v1/users/\(customer.userID)", json: ["organization_id": id],
                                             token: agent.accessToken)
            #expect(joined["organization_id"] == id)
            let mine = try await h.request(.get, "/api/v1/organizations/\(id)", token: customer.accessToken)
            #expect(mine.status == 200)
            #expect(mine["name"] == "Globex")
            #expect(mine.json["domains"] == nil, "a customer sees the name only")
            let renamed = try await h.request(.patch, "/api/v1/organizations/\(id)", json: ["name": "Globex Corp", "shared_tickets": true],
                                              token: admin.accessToken)
            #expect(renamed["name"] == "Globex Corp")
            // A name that looks like 101 letters but is 202 code points (each letter carries a combining mark) breaks
            // the documented maxLength of 200, and is refused rather than stored.
            let zalgo = String(repeating: "a\u{336}", count: 101)
            #expect(try await h.request(.patch, "/api/v1/organizations/\(id)", json: ["name": zalgo], token: admin.accessToken)
                .errorFields == ["name"])
            #expect(try await h.request(.get, "/api/v1/organizations/\(id)", token: admin.accessToken)["name"] == "Globex Corp")
            #expect(renamed.json["shared_tickets"] as? Bool == true)
            #expect(try await h.request(.delete, "/api/v1/organizations/\(id)", token: admin.accessToken).status == 204)
            let me = try await h.request(.get, "/api/v1/users/me", token: customer.accessToken)
            #expect(me.json["organization_id"] is NSNull, "members stay, without the organization")
            #expect(try await h.request(.get, "/api/v1/organizations/\(id)", token: admin.accessToken).status == 404)
        }
    }

    @Test("teams: admins manage members, who must be agents; customers cannot read teams")
    func teams() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("cy@example.com", by: admin)
            let customer = try await h.customer("di@example.com")
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "Billing"], token: admin.accessToken)
            let id = try #require(team["id"])
            #expect(try await h.request(.put, "/api/v1/teams/\(id)/members/\(customer.userID)", token: admin.accessToken).status == 422)
            #expect(try await h.request(.put, "/api/v1/teams/\(id)/members/\(agent.userID)", token: agent.accessToken).status == 403)
            #expect(try await h.request(.put, "/api/v1/teams/\(id)/members/\(UUID().uuidString)", token: admin.accessToken).status == 404)
            let twice = try await h.request(.put, "/api/v1/teams/\(id)/members/\(agent.userID)", token: admin.accessToken)
            let again = try await h.request(.put, "/api/v1/teams/\(id)/members/\(agent.userID)", token: admin.accessToken)
            #expect(twice.json["member_ids"] as? [String] == [agent.userID])
            #expect(again.json["member_ids"] as? [String] == [agent.userID], "adding twice is idempotent")
            #expect(try await h.request(.get, "/api/v1/teams/\(id)", token: agent.accessToken).json["member_ids"] as? [String] == [agent.userID])
            #expect(try await h.request(.get, "/api/v1/teams", token: customer.accessToken).status == 403)
            #expect(try await h.request(.patch, "/api/v1/teams/\(id)", json: ["description": "Invoices"], token: admin.accessToken)["description"] == "Invoices")
            #expect(try await h.request(.delete, "/api/v1/teams/\(id)/members/\(agent.userID)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.delete, "/api/v1/teams/\(id)/members/\(agent.userID)", token: admin.accessToken).status == 404)
            #expect(try await h.request(.delete, "/api/v1/teams/\(id)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.get, "/api/v1/teams/\(id)", token: admin.accessToken).status == 404)
        }
    }

    @Test("every change writes its event to the outbox in the same transaction")
    func events() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("ed@example.com")
            _ = try await h.request(.patch, "/api/v1/users/\(customer.userID)", json: ["name": "Edward"], token: admin.accessToken)
            let team = try await h.request(.post, "/api/v1/teams", json: ["name": "T"], token: admin.accessToken)
            _ = try await h.request(.delete, "/api/v1/teams/\(team["id"]!)", token: admin.accessToken)
            _ = try await h.request(.delete, "/api/v1/users/\(customer.userID)", token: admin.accessToken)
            let rows = try await h.system.database.sql.raw("""
                SELECT type, envelope FROM outbox WHERE workspace_id = \(bind: h.workspaceID.lowercased) ORDER BY seq
                """).all()
            let types = try rows.map { try $0.decode(column: "type", as: String.self) }
            for expected in ["user.created", "auth.password_changed", "auth.login_succeeded", "user.updated",
                             "team.created", "team.deleted", "user.deactivated"] {
                #expect(types.contains(expected), "missing \(expected) in \(types)")
            }
            let updated = try #require(rows.first { (try? $0.decode(column: "type", as: String.self)) == "user.updated" })
            let envelope = try EventJSON.decoder().decode(EventEnvelope.self,
                                                          from: Data(try updated.decode(column: "envelope", as: String.self).utf8))
            #expect(envelope.data["changes"]?["name"]?["to"] == "Edward")
            #expect(envelope.actor.id?.lowercased == admin.userID)
            try await h.system.settleEvents()
            let pending = try await h.system.database.sql.raw("""
                SELECT COUNT(*) AS n FROM outbox WHERE workspace_id = \(bind: h.workspaceID.lowercased) AND published_at IS NULL
                """).first()?.decode(column: "n", as: Int.self)
            #expect(pending == 0)
        }
    }
}
