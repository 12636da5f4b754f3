import AuthService
import Foundation
import HelpdeskCore
import Platform
import Testing
import UserService

/// The domain types called directly, without HTTP: rules, races and permissions.
@Suite("Domain")
struct DomainTests {
    @Test("password policy")
    func passwordPolicy() {
        #expect(PasswordPolicy.problems(password: "12345678", email: "a@example.com").isEmpty)
        #expect(PasswordPolicy.problems(password: "1234567", email: "a@example.com").first?.field == "password")
        #expect(PasswordPolicy.problems(password: "A@Example.com", email: "a@example.com").count == 1)
        #expect(PasswordPolicy.problems(password: String(repeating: "é", count: 128), email: "a@example.com").isEmpty)
        // Counted in code points like the document's maxLength: 65 "é" each written as e + combining accent are 130.
        #expect(PasswordPolicy.problems(password: String(repeating: "e\u{301}", count: 65), email: "a@example.com").first?.message
                == "must be at most 128 characters")
        #expect(PasswordPolicy.problems(password: "short", email: "x@example.com", field: "new_password").first?.field == "new_password")
    }

    @Test("a refresh token used twice at the same moment rotates once; the loser revokes the session")
    func concurrentRefresh() async throws {
        try await Harness.run { h in
            let session = try await h.customer("race@example.com")
            let authenticator = h.system.auth.authenticator
            let results = await withTaskGroup(of: String.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do {
                            _ = try await authenticator.refresh(session.refreshToken)
                            return "ok"
                        } catch let error as HelpdeskError {
                            return error.code
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == "ok" }.count == 1, "\(results)")
            #expect(results.filter { $0 == "refresh_token_reused" }.count == 3, "\(results)")
            let sessions = try await authenticator.sessions(try await h.system.tokens.verify(session.accessToken),
                                                            page: PageRequest())
            #expect(sessions.items.isEmpty, "reuse revoked the family, the winner's new token included")
        }
    }

    @Test("concurrent registrations of one email create one user")
    func concurrentRegistration() async throws {
        try await Harness.run { h in
            let authenticator = h.system.auth.authenticator
            let workspace = h.workspaceID
            let codes = await withTaskGroup(of: String.self) { group in
                for i in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await authenticator.register(workspaceID: workspace, email: "Twin@example.com",
                                                                 password: "password-\(i)", name: "Twin \(i)")
                            return "created"
                        } catch let error as HelpdeskError {
                            return error.code
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(codes.filter { $0 == "created" }.count == 1, "\(codes)")
            #expect(codes.filter { $0 == "email_taken" }.count == 4, "\(codes)")
        }
    }

    @Test("role rules hold below HTTP too")
    func permissions() async throws {
        try await Harness.run { h in
            let agent = Principal(userID: UUID(), workspaceID: h.workspaceID, role: .agent, sessionID: UUID())
            let customer = Principal(userID: UUID(), workspaceID: h.workspaceID, role: .customer, sessionID: UUID())
            await #expect(throws: HelpdeskError.forbidden()) {
                _ = try await h.system.users.accounts.create(agent, NewUser(email: "n@example.com", name: "N", role: "agent"))
            }
            await #expect(throws: HelpdeskError.self) {
                _ = try await h.system.users.organizations.create(agent, name: "Org", domains: [], sharedTickets: false)
            }
            await #expect(throws: HelpdeskError.self) {
                _ = try await h.system.users.accounts.list(customer, role: nil, organizationID: nil, query: nil, page: PageRequest())
            }
            await #expect(throws: HelpdeskError.notFound("user")) {
                _ = try await h.system.users.accounts.get(customer, id: UUID())
            }
        }
    }

    @Test("an update that changes nothing writes no event")
    func noOpUpdate() async throws {
        try await Harness.run { h in
            let admin = try await h.system.users.accounts.createAdmin(workspaceID: h.workspaceID, email: "a@example.com",
                                                                      name: "Ann", password: "admin-password")
            let principal = Principal(userID: admin.id, workspaceID: h.workspaceID, role: .admin, sessionID: UUID())
            let before = try await outboxCount(h)
            let same = try await h.system.users.accounts.update(principal, id: admin.id, UserChanges(name: "Ann"))
            #expect(same == admin)
            #expect(try await outboxCount(h) == before)
            let renamed = try await h.system.users.accounts.update(principal, id: admin.id, UserChanges(name: "Anna"))
            #expect(renamed.name == "Anna")
            #expect(renamed.updatedAt >= admin.updatedAt)
            #expect(try await outboxCount(h) == before + 1)
        }
    }

    private func outboxCount(_ h: Harness) async throws -> Int {
        try await h.system.database.sql.raw("""
            SELECT COUNT(*) AS n FROM outbox WHERE workspace_id = \(bind: h.workspaceID.lowercased)
            """).first()?.decode(column: "n", as: Int.self) ?? -1
    }
}
