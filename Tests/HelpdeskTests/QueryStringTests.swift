import Foundation
import HelpdeskCore
import Platform
import Testing

/// Query strings are read as HTML forms, Python's `requests` and `curl -G --data-urlencode` write them: `+` is a
/// space and `%2B` a literal plus, on every route, embedded and through the gateway (phase 3 of scripts/test).
@Suite("Query strings: + is a space, %2B a plus")
struct QueryStringTests {
    @Test("the form decoder: + and %20 are spaces, %2B a plus, names decoded, bad escapes kept, first value wins")
    func decoder() {
        let q = FormQuery("q=status%3Anew+printer&tag=c%2B%2B&empty=&bare&sp%61ce+name=a%20b&q=second&bad=%zz%4&utf=%C3%A9t%C3%A9")
        #expect(q["q"] == "status:new printer")
        #expect(q["tag"] == "c++")
        #expect(q["empty"] == "")
        #expect(q["bare"] == "")
        #expect(q["space name"] == "a b")
        #expect(q["bad"] == "%zz%4")
        #expect(q["utf"] == "été")
        #expect(q["missing"] == nil)
        #expect(FormQuery(nil).pairs.isEmpty && FormQuery("").pairs.isEmpty && FormQuery("&&").pairs.isEmpty)
        #expect(FormQuery("a=%FF")["a"] == "\u{FFFD}", "bytes that are not UTF-8 read as replacement characters")
    }

    @Test("random strings encoded by Python's urllib.parse.urlencode decode back to themselves")
    func pythonRoundTrip() throws {
        // Python draws the strings (seeded, so a failure is repeatable) from an alphabet heavy in the characters
        // that matter: + % & = space, reserved ASCII, accents, combining marks, emoji and other planes.
        let script = """
        import json, random, sys, urllib.parse
        seed = int(sys.argv[1]); rng = random.Random(seed)
        alphabet = list("+%&= +=&%#?/;:@,$!*'()[]~-_.") + list("abcXYZ019") + ["é", "ß", "\\u0301", "日", "😀", "\\U0001F9D1\\u200D\\U0001F4BB", "\\t", "\\u00a0"]
        cases = []
        for _ in range(500):
            name = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
            value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            cases.append({"name": name, "value": value, "encoded": urllib.parse.urlencode({name: value})})
        cases.append({"name": "q", "value": "status:new printer", "encoded": urllib.parse.urlencode({"q": "status:new printer"})})
        print(json.dumps(cases))
        """
        let seed = UInt32.random(in: 0...UInt32.max)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(seed)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 must run (seed \(seed))")
        let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        #expect(cases.count == 501)
        #expect(cases.last?["encoded"] == "q=status%3Anew+printer", "urlencode writes a space as +")
        for c in cases {
            let encoded = try #require(c["encoded"])
            let decoded = FormQuery(Substring(encoded))
            #expect(decoded.pairs.count == 1, "seed \(seed): \(encoded)")
            #expect(decoded[c["name"]!] == c["value"], "seed \(seed): \(encoded) decodes to \(decoded.pairs)")
        }
    }

    @Test("list, search, user search, audit list and export read + as a space and %2B as a plus")
    func routes() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let printer = try await h.request(.post, "/api/v1/tickets", json: [
                "subject": "Printer on fire", "description": "The printer smokes", "tags": ["c++", "hardware"],
            ], token: agent.accessToken)
            #expect(printer.status == 201, "a tag may hold a plus: \(printer.text)")
            let id = try #require(printer["id"])
            _ = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Scanner", "description": "No paper",
                                                                   "tags": ["c"]], token: agent.accessToken)
            func ids(_ query: String) async throws -> [String] {
                let r = try await h.request(.get, "/api/v1/tickets?\(query)", token: agent.accessToken)
                #expect(r.status == 200, "\(query): \(r.text)")
                return r.items.compactMap { $0["id"] as? String }
            }
            // The search, its words separated by %20 or by +.
            #expect(try await ids("q=status:new%20printer") == [id])
            #expect(try await ids("q=status:new+printer") == [id])
            #expect(try await ids("q=status%3Anew+printer+fire") == [id])
            // A literal plus in a tag, in the search and in the list filter; a bare + is a space, so no tag matches.
            #expect(try await ids("q=tag:c%2B%2B") == [id])
            #expect(try await ids("q=tag%3Ac%2B%2B+printer") == [id])
            #expect(try await ids("tag=c%2B%2B") == [id])
            #expect(try await ids("tag=c%2B%2B&status=new&sort=-created_at") == [id])
            #expect(try await ids("tag=c++").isEmpty, "c++ unencoded is 'c  ', no tag")
            // Tag suggestions and the user directory's search.
            let tags = try await h.request(.get, "/api/v1/tags?q=c%2B", token: agent.accessToken)
            #expect(tags.items.compactMap { $0["name"] as? String } == ["c++"], "\(tags.text)")
            let users = try await h.request(.get, "/api/v1/users?q=Staff+agent", token: admin.accessToken)
            #expect(users.items.compactMap { $0["email"] as? String } == ["agent@example.com"], "\(users.text)")

            // The audit log's timestamps: an offset's plus written %2B; a bare + is a space, refused naming the field.
            try await h.system.settleEvents()
            let start = RFC3339.string(from: Date().addingTimeInterval(-3600))
            let offset = Self.withOffset(Date().addingTimeInterval(-3600), hours: 2)
            let plain = try await h.request(.get, "/api/v1/audit/events?action=ticket.created&from=\(start)", token: admin.accessToken)
            #expect(plain.status == 200 && plain.items.count == 2, "\(plain.text)")
            let encoded = offset.replacingOccurrences(of: "+", with: "%2B")
            let withOffset = try await h.request(.get, "/api/v1/audit/events?action=ticket.created&from=\(encoded)",
                                                 token: admin.accessToken)
            #expect(withOffset.status == 200 && withOffset.items.count == 2, "\(withOffset.text)")
            let bare = try await h.request(.get, "/api/v1/audit/events?from=\(offset)", token: admin.accessToken)
            #expect(bare.status == 400 && bare.errorFields == ["from"], "\(bare.text)")
            #expect(bare.text.contains("%2B"), "the error says how to write the plus")
            let export = try await h.request(.get, "/api/v1/audit/export?format=csv&action=ticket.created&from=\(encoded)",
                                             token: admin.accessToken)
            #expect(export.status == 200)
            #expect(export.text.split(separator: "\r\n").count == 3, "a header and two records: \(export.text)")
            let later = Self.withOffset(Date().addingTimeInterval(3600), hours: 2).replacingOccurrences(of: "+", with: "%2B")
            let none = try await h.request(.get, "/api/v1/audit/export?format=jsonl&from=\(later)", token: admin.accessToken)
            #expect(none.status == 200 && none.body.isEmpty, "nothing after an hour from now: \(none.text)")
        }
    }

    /// `date` written in a zone `hours` east of UTC, e.g. `2026-12-06T16:00:00+02:00`.
    static func withOffset(_ date: Date, hours: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: hours * 3600)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return formatter.string(from: date)
    }
}
