import Foundation
import Gateway
import HelpdeskCore
import Testing

/// The web UI as the server delivers it, and the rules its source must keep (CSP-safe, fully translated).
@Suite("Web UI: serving, CSP, translations")
struct WebUITests {
    static let publicDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/WebUI/Public")

    @Test("the application shell is served at / and for client routes, with a strict CSP and revalidation")
    func servesShell() async throws {
        try await Harness.run { h in
            let root = try await h.request(.get, "/")
            #expect(root.status == 200)
            #expect(root.header("Content-Type") == "text/html; charset=utf-8")
            #expect(root.text.contains(#"<script type="module" src="/js/app.js"></script>"#))
            let csp = try #require(root.header("Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
            #expect(root.header("X-Content-Type-Options") == "nosniff")

            // History-API routes load the same shell; the page decides what to show.
            let deep = try await h.request(.get, "/tickets/42")
            #expect(deep.status == 200 && deep.body == root.body)
            let script = try await h.request(.get, "/js/app.js")
            #expect(script.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            let etag = try #require(script.header("ETag"))
            let again = try await h.request(.get, "/js/app.js", headers: ["If-None-Match": etag])
            #expect(again.status == 304 && again.body.isEmpty)
            let translations = try await h.request(.get, "/i18n/fr/common.json")
            #expect(translations.header("Content-Type") == "application/json; charset=utf-8")

            // Missing files and API paths are never answered with the shell.
            let missing = try await h.request(.get, "/js/does-not-exist.js")
            #expect(missing.status == 404 && missing.code == "route_not_found")
            let api = try await h.request(.get, "/api/v1/no-such-thing")
            #expect(api.status == 404 && api.header("Content-Type") == "application/problem+json")
            for escape in ["/../../../../Package.swift", "/js/..%2f..%2f..%2f..%2fPackage.swift", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/Package.swift"] {
                let traversal = try await h.request(.get, escape)
                #expect(traversal.status == 404, "\(escape)")
                #expect(!traversal.text.contains("PackageDescription"))
            }
            let post = try await h.request(.post, "/tickets/42")
            #expect(post.status == 404 || post.status == 405)
        }
    }

    /// Every file under Public/, as text, by relative path.
    static func sources(withExtension ext: String) throws -> [(String, String)] {
        let root = publicDirectory.standardizedFileURL.path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        var files: [(String, String)] = []
        for case let path as String in walker where path.hasSuffix(".\(ext)") {
            files.append((path, try String(contentsOfFile: root + "/" + path, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    @Test("no inline script, inline style or HTML injection sink anywhere in the UI source")
    func cspSafeSource() throws {
        let html = try Self.sources(withExtension: "html")
        #expect(!html.isEmpty)
        for (path, text) in html {
            for tag in text.matches(of: /<script\b[^>]*>/) {
                #expect(tag.output.contains("src="), "\(path): inline <script>")
            }
            #expect(text.firstMatch(of: /\son[a-z]+\s*=/) == nil, "\(path): inline event handler")
            #expect(text.firstMatch(of: /\sstyle\s*=/) == nil, "\(path): inline style attribute")
            #expect(!text.contains("<style"), "\(path): inline <style>")
        }
        let scripts = try Self.sources(withExtension: "js")
        #expect(scripts.count > 10)
        for (path, text) in scripts {
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!text.contains(sink), "\(path) uses \(sink)")
            }
            #expect(text.firstMatch(of: /setAttribute\(\s*['"]style['"]/) == nil, "\(path): style attribute (blocked by the CSP)")
        }
    }

    /// Flattened keys of one locale: "area.key" → value.
    static func translations(_ locale: String) throws -> [String: Any] {
        var keys: [String: Any] = [:]
        for area in ["common", "auth", "agent", "portal", "admin", "profile"] {
            let url = publicDirectory.appendingPathComponent("i18n/\(locale)/\(area).json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                                      "\(locale)/\(area).json is not a JSON object")
            for (key, value) in object { keys["\(area).\(key)"] = value }
        }
        return keys
    }

    @Test("every string the UI shows exists in English and French, and both have the same keys")
    func translationsComplete() throws {
        let en = try Self.translations("en")
        let fr = try Self.translations("fr")
        #expect(Set(en.keys).subtracting(fr.keys).sorted() == [], "missing in French")
        #expect(Set(fr.keys).subtracting(en.keys).sorted() == [], "missing in English")
        for (key, value) in en {
            if let plural = value as? [String: String] {
                #expect(plural["other"] != nil, "\(key): a plural needs 'other'")
                #expect((fr[key] as? [String: String])?["other"] != nil, "\(key): French plural needs 'other'")
            } else {
                #expect(!(value as? String ?? "").isEmpty, "\(key) is empty in English")
                #expect(!(fr[key] as? String ?? "").isEmpty, "\(key) is empty in French")
            }
        }

        var used = 0
        for (path, text) in try Self.sources(withExtension: "js") {
            // t('area.key') with a literal key must exist.
            for match in text.matches(of: /\bt\(\s*['"]([a-z]+\.[a-z0-9_]+)['"]/) {
                used += 1
                #expect(en[String(match.output.1)] != nil, "\(path) uses missing key \(match.output.1)")
            }
            // t(`area.prefix_${x}`): some key must start with the literal part.
            for match in text.matches(of: /\bt\(\s*`([a-z]+\.[a-z0-9_]*)\$\{/) {
                let prefix = String(match.output.1)
                #expect(en.keys.contains { $0.hasPrefix(prefix) }, "\(path) uses keys \(prefix)… and none exists")
            }
        }
        #expect(used > 50)
    }
}

@Suite("First-run setup")
struct SetupTests {
    @Test("setup creates the first admin once, signs them in, and is closed afterwards")
    func firstAdmin() async throws {
        try await Harness.run { h in
            #expect(try await h.request(.get, "/api/v1/setup").json["needs_setup"] as? Bool == true)
            let weak = try await h.request(.post, "/api/v1/setup", json: ["email": "boss@example.com", "password": "short",
                                                                          "name": "Boss"])
            #expect(weak.status == 422 && weak.errorFields == ["password"])
            let badEmail = try await h.request(.post, "/api/v1/setup", json: ["email": "not-an-email",
                                                                              "password": "long-enough-1", "name": "Boss"])
            #expect(badEmail.status == 422 && badEmail.errorFields == ["email"])
            let unknown = try await h.request(.post, "/api/v1/setup", json: ["email": "boss@example.com",
                                                                             "password": "long-enough-1", "name": "Boss",
                                                                             "role": "customer"])
            #expect(unknown.status == 400 || unknown.status == 422)
            #expect(unknown.errorFields == ["role"])
            #expect(try await h.request(.get, "/api/v1/setup").json["needs_setup"] as? Bool == true)

            let done = try await h.request(.post, "/api/v1/setup", json: ["email": "boss@example.com",
                                                                          "password": "long-enough-1", "name": "Boss"])
            #expect(done.status == 201)
            let token = try #require(done["access_token"])
            #expect((done.json["user"] as? [String: Any])?["role"] as? String == "admin")
            #expect(try await h.request(.get, "/api/v1/users?role=admin", token: token).items.count == 1)
            #expect(try await h.request(.get, "/api/v1/setup").json["needs_setup"] as? Bool == false)

            let again = try await h.request(.post, "/api/v1/setup", json: ["email": "intruder@example.com",
                                                                           "password": "long-enough-1", "name": "Eve"])
            #expect(again.status == 409 && again.code == "setup_complete")
            #expect(try await h.request(.post, "/api/v1/auth/login",
                                        json: ["email": "intruder@example.com", "password": "long-enough-1"]).status == 401)
        }
    }

    @Test("two setups racing make exactly one admin")
    func race() async throws {
        try await Harness.run { h in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        try await h.request(.post, "/api/v1/setup", json: ["email": "admin\(i)@example.com",
                                                                           "password": "long-enough-1", "name": "A\(i)"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 5)
            #expect(try await h.system.users.accounts.hasAdmin(workspaceID: h.workspaceID))
        }
    }

    @Test("view counts for the agent rail, capped, staff only")
    func counts() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let customer = try await h.customer("c@example.com")
            for i in 0..<3 {
                let r = try await h.request(.post, "/api/v1/tickets", json: ["subject": "S\(i)", "description": "d"],
                                            token: customer.accessToken)
                #expect(r.status == 201)
            }
            let first = try await h.request(.get, "/api/v1/tickets?limit=1", token: admin.accessToken).items[0]
            let assign = try await h.request(.patch, "/api/v1/tickets/\(first["id"] as! String)",
                                             json: ["assignee_id": admin.userID, "status": "pending"], token: admin.accessToken)
            #expect(assign.status == 200)
            let counts = try await h.request(.get, "/api/v1/tickets/counts", token: admin.accessToken)
            #expect(counts.status == 200)
            #expect(counts.json["all_open"] as? Int == 2)
            #expect(counts.json["unassigned"] as? Int == 2)
            #expect(counts.json["my_open"] as? Int == 1)
            #expect(counts.json["pending"] as? Int == 1)
            #expect(counts.json["solved"] as? Int == 0)
            #expect(try await h.request(.get, "/api/v1/tickets/counts", token: customer.accessToken).status == 403)
            #expect(try await h.request(.get, "/api/v1/tickets/counts").status == 401)
        }
    }
}
