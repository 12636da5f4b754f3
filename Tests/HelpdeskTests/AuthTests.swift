import Foundation
import HelpdeskCore
import Platform
import Testing

@Suite("Auth")
struct AuthTests {
    @Test("login returns a bearer token that authenticates the user and carries the role")
    func loginAndMe() async throws {
        try await Harness.run { h in
            let customer = try await h.customer("dan@example.com", name: "Dan")
            let me = try await h.request(.get, "/api/v1/users/me", token: customer.accessToken)
            #expect(me.status == 200)
            #expect(me["email"] == "dan@example.com")
            #expect(me["role"] == "customer")
            let principal = try await h.system.tokens.verify(customer.accessToken)
            #expect(principal.role == .customer)
            #expect(principal.workspaceID == h.workspaceID)
        }
    }

    @Test("emails are case-insensitive and unique per workspace")
    func emailCase() async throws {
        try await Harness.run { h in
            _ = try await h.customer("Erin@Example.com")
            let again = try await h.request(.post, "/api/v1/auth/register",
                                            json: ["email": "erin@example.COM", "password": "another-pw", "name": "E"])
            #expect(again.status == 409)
            #expect(again.code == "email_taken")
            #expect(again.errorFields == ["email"])
            _ = try await h.login("ERIN@example.com", "customer-pw")
        }
    }

    @Test("a wrong password and an unknown email fail the same way")
    func failuresDoNotRevealAccounts() async throws {
        try await Harness.run { h in
            _ = try await h.customer("fay@example.com")
            let wrong = try await h.request(.post, "/api/v1/auth/login", json: ["email": "fay@example.com", "password": "nope-nope"])
            let unknown = try await h.request(.post, "/api/v1/auth/login", json: ["email": "nobody@example.com", "password": "nope-nope"])
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong.code == unknown.code)
            #expect(wrong["detail"] == unknown["detail"])
        }
    }

    @Test("five failures lock the account with 429 and Retry-After until the window passes")
    func bruteForceLockout() async throws {
        try await Harness.run { h in
            _ = try await h.customer("gus@example.com")
            for _ in 0..<5 {
                let r = try await h.request(.post, "/api/v1/auth/login", json: ["email": "gus@example.com", "password": "wrong-pass"])
                #expect(r.status == 401)
            }
            let locked = try await h.request(.post, "/api/v1/auth/login", json: ["email": "gus@example.com", "password": "customer-pw"])
            #expect(locked.status == 429, "even the right password is refused while locked")
            #expect(locked.code == "rate_limited")
            let retry = try #require(locked.header("Retry-After").flatMap(Int.init))
            #expect(retry > 0 && retry <= 15 * 60)
            // Unknown accounts lock the same way: no enumeration through 429 either.
            for _ in 0..<5 {
                _ = try await h.request(.post, "/api/v1/auth/login", json: ["email": "ghost@example.com", "password": "wrong-pass"])
            }
            let ghost = try await h.request(.post, "/api/v1/auth/login", json: ["email": "ghost@example.com", "password": "x-wrong-x"])
            #expect(ghost.status == 429)

            h.clock.advance(15 * 60 + 1)
            _ = try await h.login("gus@example.com", "customer-pw")
        }
    }

    @Test("the password policy refuses short, overlong and email passwords with 422 naming the field")
    func passwordPolicy() async throws {
        try await Harness.run { h in
            let cases: [(String, String)] = [
                ("short", "password"), (String(repeating: "x", count: 129), "password"), ("hal@example.com", "password"),
            ]
            for (password, field) in cases {
                let r = try await h.request(.post, "/api/v1/auth/register",
                                            json: ["email": "hal@example.com", "password": password, "name": "Hal"])
                #expect(r.status == 422, "\(password.prefix(10)): \(r.text)")
                #expect(r.errorFields == [field])
            }
            // Nothing was written by the refused attempts.
            let ok = try await h.request(.post, "/api/v1/auth/register",
                                         json: ["email": "hal@example.com", "password": "good-password-é", "name": "Hal"])
            #expect(ok.status == 201)
        }
    }

    @Test("registration can be turned off")
    func registrationDisabled() async throws {
        try await Harness.run(configure: { $0.allowRegistration = false }) { h in
            let r = try await h.request(.post, "/api/v1/auth/register",
                                        json: ["email": "ivy@example.com", "password": "password-1", "name": "Ivy"])
            #expect(r.status == 403)
            #expect(r.code == "registration_disabled")
        }
    }

    @Test("logout revokes the session; unknown tokens still get 204")
    func logout() async throws {
        try await Harness.run { h in
            let s = try await h.customer("jay@example.com")
            let out = try await h.request(.post, "/api/v1/auth/logout", json: ["refresh_token": s.refreshToken])
            #expect(out.status == 204)
            let refresh = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": s.refreshToken])
            #expect(refresh.status == 401)
            #expect(refresh.code == "invalid_refresh_token")
            let unknown = try await h.request(.post, "/api/v1/auth/logout", json: ["refresh_token": "not-a-token"])
            #expect(unknown.status == 204)
        }
    }

    @Test("a user cannot see or revoke another user's session")
    func foreignSession() async throws {
        try await Harness.run { h in
            let a = try await h.customer("kim@example.com")
            let b = try await h.customer("lee@example.com")
            let list = try await h.request(.get, "/api/v1/auth/sessions", token: a.accessToken)
            let id = try #require(list.items.first?["id"] as? String)
            let r = try await h.request(.delete, "/api/v1/auth/sessions/\(id)", token: b.accessToken)
            #expect(r.status == 404)
            let still = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": a.refreshToken])
            #expect(still.status == 200)
        }
    }

    @Test("access tokens expire after their lifetime; forged and foreign tokens are refused")
    func tokenValidity() async throws {
        try await Harness.run { h in
            let s = try await h.customer("mo@example.com")
            let ok = try await h.request(.get, "/api/v1/users/me", token: s.accessToken)
            #expect(ok.status == 200)
            var parts = s.accessToken.split(separator: ".").map(String.init)
            parts[1] = Base64URL.encode(Data(#"{"sub":"x","role":"admin"}"#.utf8))
            let forged = try await h.request(.get, "/api/v1/users/me", token: parts.joined(separator: "."))
            #expect(forged.status == 401)
            #expect(forged.header("WWW-Authenticate") == "Bearer")
            // Signed by another key (another install).
            let other = await AccessTokens(signingKey: .generate())
            let foreign = try await other.issue(for: Principal(userID: UUID(), workspaceID: h.workspaceID, role: .admin,
                                                               sessionID: UUID()))
            #expect(try await h.request(.get, "/api/v1/users", token: foreign).status == 401)
            #expect(try await h.request(.get, "/api/v1/users/me").status == 401)
            #expect(try await h.request(.get, "/api/v1/users/me", headers: ["Authorization": "Basic abc"]).status == 401)

            h.clock.advance(15 * 60 + 1)
            let expired = try await h.request(.get, "/api/v1/users/me", token: s.accessToken)
            #expect(expired.status == 401)
            #expect(expired["detail"]?.contains("expired") == true)
        }
    }

    @Test("refresh tokens expire after 30 days")
    func refreshExpiry() async throws {
        try await Harness.run { h in
            let s = try await h.customer("ned@example.com")
            h.clock.advance(30 * 24 * 3600 + 1)
            let r = try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": s.refreshToken])
            #expect(r.status == 401)
        }
    }

    @Test("changing the password checks the current one and ends every session")
    func changePassword() async throws {
        try await Harness.run { h in
            let s = try await h.customer("ola@example.com")
            let other = try await h.login("ola@example.com", "customer-pw")
            let wrong = try await h.request(.post, "/api/v1/auth/password/change",
                                            json: ["current_password": "not-it-at-all", "new_password": "brand-new-pw"],
                                            token: s.accessToken)
            #expect(wrong.status == 422)
            #expect(wrong.errorFields == ["current_password"])
            let weak = try await h.request(.post, "/api/v1/auth/password/change",
                                           json: ["current_password": "customer-pw", "new_password": "short"],
                                           token: s.accessToken)
            #expect(weak.errorFields == ["new_password"])
            let ok = try await h.request(.post, "/api/v1/auth/password/change",
                                         json: ["current_password": "customer-pw", "new_password": "brand-new-pw"],
                                         token: s.accessToken)
            #expect(ok.status == 204)
            for token in [s.refreshToken, other.refreshToken] {
                #expect(try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": token]).status == 401)
            }
            let old = try await h.request(.post, "/api/v1/auth/login", json: ["email": "ola@example.com", "password": "customer-pw"])
            #expect(old.status == 401)
            _ = try await h.login("ola@example.com", "brand-new-pw")
        }
    }

    @Test("forgot always answers 202; the mailed token resets once, then never again")
    func passwordReset() async throws {
        try await Harness.run { h in
            let s = try await h.customer("pia@example.com")
            let unknown = try await h.request(.post, "/api/v1/auth/password/forgot", json: ["email": "nobody@example.com"])
            #expect(unknown.status == 202)
            #expect(h.mailer.messages.isEmpty)
            let known = try await h.request(.post, "/api/v1/auth/password/forgot", json: ["email": "PIA@example.com"])
            #expect(known.status == 202)
            let mail = try #require(h.mailer.messages.last)
            #expect(mail.to == "pia@example.com")
            let token = try #require(mail.body.split(separator: "\n").first { $0.hasPrefix("Your reset code: ") }?
                .dropFirst("Your reset code: ".count))
            let weak = try await h.request(.post, "/api/v1/auth/password/reset",
                                           json: ["token": String(token), "new_password": "short"])
            #expect(weak.status == 422)
            let done = try await h.request(.post, "/api/v1/auth/password/reset",
                                           json: ["token": String(token), "new_password": "after-reset-pw"])
            #expect(done.status == 204)
            let again = try await h.request(.post, "/api/v1/auth/password/reset",
                                            json: ["token": String(token), "new_password": "another-one-pw"])
            #expect(again.status == 400)
            #expect(again.code == "invalid_reset_token")
            #expect(try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": s.refreshToken]).status == 401)
            _ = try await h.login("pia@example.com", "after-reset-pw")
        }
    }

    @Test("reset tokens expire after an hour")
    func resetExpiry() async throws {
        try await Harness.run { h in
            _ = try await h.customer("quin@example.com")
            _ = try await h.request(.post, "/api/v1/auth/password/forgot", json: ["email": "quin@example.com"])
            let body = try #require(h.mailer.messages.last?.body)
            let token = try #require(body.split(separator: "\n").first { $0.hasPrefix("Your reset code: ") }?
                .dropFirst("Your reset code: ".count))
            h.clock.advance(3601)
            let r = try await h.request(.post, "/api/v1/auth/password/reset",
                                        json: ["token": String(token), "new_password": "after-reset-pw"])
            #expect(r.status == 400)
        }
    }

    @Test("JWKS publishes the Ed25519 key that verifies issued tokens")
    func jwks() async throws {
        try await Harness.run { h in
            let r = try await h.request(.get, "/.well-known/jwks.json")
            #expect(r.status == 200)
            let keys = try #require(r.json["keys"] as? [[String: String]])
            #expect(keys.count == 1)
            #expect(keys[0]["kty"] == "OKP")
            #expect(keys[0]["crv"] == "Ed25519")
            let s = try await h.customer("rae@example.com")
            let header = try #require(Base64URL.decode(String(s.accessToken.split(separator: ".")[0])))
            let kid = (try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String
            #expect(kid == keys[0]["kid"])
        }
    }

    @Test("deactivating a user ends their sessions and blocks login")
    func deactivation() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let s = try await h.customer("sam@example.com")
            let del = try await h.request(.delete, "/api/v1/users/\(s.userID)", token: admin.accessToken)
            #expect(del.status == 204)
            try await h.system.settleEvents()
            #expect(try await h.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": s.refreshToken]).status == 401)
            let login = try await h.request(.post, "/api/v1/auth/login", json: ["email": "sam@example.com", "password": "customer-pw"])
            #expect(login.status == 401)
            let user = try await h.request(.get, "/api/v1/users/\(s.userID)", token: admin.accessToken)
            #expect(user.json["active"] as? Bool == false, "history stays: the user is still readable")
        }
    }
}
