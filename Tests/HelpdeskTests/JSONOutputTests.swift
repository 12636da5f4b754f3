import Foundation
import HelpdeskCore
import Platform
import Testing
@testable import TicketService

@Suite("Fast JSON: byte for byte what the generic encoder writes")
struct JSONOutputTests {
    static func encoderBytes(_ value: some Encodable) throws -> [UInt8] {
        Array(try EventJSON.encoder().encode(value))
    }

    static func fastBytes(_ value: some JSONWritable) -> [UInt8] {
        var out = JSONOutput()
        value.writeJSON(to: &out)
        return out.bytes
    }

    static func ticket(_ i: Int, subject: String, fields: [String: JSONValue] = [:], tags: [String] = [],
                       at date: Date) -> Ticket {
        Ticket(id: UUID(), workspaceID: UUID(), number: i, subject: subject, status: .onHold, priority: .urgent,
               type: i % 2 == 0 ? .incident : nil, requesterID: UUID(), assigneeID: i % 3 == 0 ? nil : UUID(),
               teamID: nil, organizationID: UUID(), tags: tags, customFields: fields,
               followerIDs: i % 2 == 0 ? [UUID(), UUID()] : [], createdAt: date, updatedAt: date.addingTimeInterval(0.007),
               solvedAt: i % 2 == 0 ? nil : date.addingTimeInterval(86_400.5), version: i, channel: "email")
    }

    @Test("tickets and pages of tickets, with hostile strings, unicode, every JSON type and many dates")
    func ticketsMatch() throws {
        let subjects = ["Plain", "Quote \" and backslash \\ and slash /", "Lines\nand\ttabs\r\u{8}\u{c}", "\u{1}\u{1f}ctl",
                        "Café – 日本語 – 🎉", "", "<script>alert(1)</script>"]
        let fields: [String: JSONValue] = [
            "zeta": .number(3), "alpha": .number(1.5), "neg": .number(-42), "big": .number(12_345_678_901),
            "flag": .bool(true), "none": .null, "list": .array([.string("a"), .number(2), .bool(false)]),
            "nested": .object(["b": .string("x\"y"), "a": .array([])]), "Upper": .string("É"), "under_score": .string("1"),
        ]
        var tickets: [Ticket] = []
        var date = Date(timeIntervalSince1970: -86_400 * 400 + 0.001)
        for (i, subject) in subjects.enumerated() {
            for j in 0..<40 {
                date = date.addingTimeInterval(Double(j) * 7_654_321.123 + 0.999)
                let t = Self.ticket(i * 40 + j, subject: subject, fields: j % 2 == 0 ? fields : [:],
                                    tags: j % 3 == 0 ? ["vip", "a,b", "ünï"] : [], at: date)
                let fast = String(decoding: Self.fastBytes(t), as: UTF8.self)
                let slow = String(decoding: try Self.encoderBytes(t), as: UTF8.self)
                if fast != slow {
                    let common = zip(fast, slow).prefix { $0 == $1 }.count
                    Issue.record("ticket \(i)/\(j): differs at \(common): fast …\(fast.dropFirst(max(0, common - 30)).prefix(80)) slow …\(slow.dropFirst(max(0, common - 30)).prefix(80))")
                }
                tickets.append(t)
            }
        }
        let page = Page(items: Array(tickets.prefix(30)), nextCursor: "abc/def")
        #expect(Self.fastBytes(page) == (try Self.encoderBytes(page)))
        let last = Page(items: [Ticket](), nextCursor: nil)
        #expect(Self.fastBytes(last) == (try Self.encoderBytes(last)))
    }

    @Test("stored string arrays read back the same whether plain or escaped")
    func storedStrings() {
        for values in [[], ["vip"], ["a", "b", "c"], ["a,b", "c"], ["quote\"d", "back\\slash"], ["", "x"], ["ünï", "🎉"]] {
            #expect(TicketStore.strings(TicketStore.json(values)) == values, "\(values)")
        }
        #expect(TicketStore.fields("{}") == [:])
        #expect(TicketStore.fields(#"{"a":1}"#) == ["a": .number(1)])
    }

    @Test("UUIDs parse and print like Foundation, and refuse anything but the canonical form")
    func uuids() {
        for _ in 0..<2000 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID.parse(id.uuidString) == id)
            #expect(UUID.parse(id.lowercased) == id)
        }
        let good = "0190b2c4-1d2e-7f00-8a1b-0c0d0e0f1011"
        #expect(UUID.parse(good)?.lowercased == good)
        for bad in ["", "0190b2c4-1d2e-7f00-8a1b-0c0d0e0f101", good + "0", "{\(good)}", good.replacingOccurrences(of: "-", with: ""),
                    "0190b2c4-1d2e-7f00-8a1b_0c0d0e0f1011", "0190b2c4-1d2e-7f00-8a1b-0c0d0e0f101g", "0190b2c41-d2e-7f00-8a1b-0c0d0e0f1011"] {
            #expect(UUID.parse(bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation agrees on \(bad)")
        }
    }
}
