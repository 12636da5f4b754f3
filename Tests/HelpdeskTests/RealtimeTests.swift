import Foundation
import Gateway
import HelpdeskCore
import Testing

/// What a realtime connection receives, collected from its queue as the hub writes it.
actor FrameCollector {
    private(set) var frames: [[String: Any]] = []
    func add(_ text: String) {
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] { frames.append(object) }
    }
    /// Ticket events received, as "type" or "type:public|internal".
    func events() -> [String] {
        frames.compactMap { frame -> String? in
            guard frame["type"] as? String == "event", let event = frame["event"] as? [String: Any],
                  let type = event["type"] as? String else { return nil }
            if let isPublic = event["public"] as? Bool { return "\(type):\(isPublic ? "public" : "internal")" }
            return type
        }
    }
    /// The people named by each presence message, as "name:state".
    func presence() -> [[String]] {
        frames.filter { $0["type"] as? String == "presence" }.map { frame in
            (frame["users"] as? [[String: Any]] ?? []).map { "\($0["name"] as? String ?? "?"):\($0["state"] as? String ?? "?")" }
        }
    }
    /// The first ticket event's ticket id and number.
    func firstEvent() -> (ticketID: String?, number: Int?)? {
        guard let event = frames.first(where: { $0["type"] as? String == "event" })?["event"] as? [String: Any] else { return nil }
        return (event["ticket_id"] as? String, event["ticket_number"] as? Int)
    }
    func errors() -> [String] { frames.compactMap { $0["type"] as? String == "error" ? $0["code"] as? String : nil } }
    func notifications() -> [Int] { frames.compactMap { $0["type"] as? String == "notification" ? $0["unread_count"] as? Int : nil } }
    func clear() { frames = [] }
}

extension Harness {
    /// Opens a hub connection for `session` (as the WebSocket endpoint does after authentication).
    func connect(_ session: Session, role: Role, name: String) async -> (UUID, FrameCollector) {
        let id = UUID()
        let collector = FrameCollector()
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let principal = Principal(userID: UUID(uuidString: session.userID)!, workspaceID: workspaceID, role: role,
                                  sessionID: UUID())
        await system.realtime.register(id, .init(principal: principal, name: name, outbox: continuation))
        Task { for await text in stream { await collector.add(text) } }
        return (id, collector)
    }

    /// Lets the bus deliver and the per-connection queues drain.
    func settleRealtime() async throws {
        try await system.settleEvents()
        try await Task.sleep(for: .milliseconds(150))
    }
}

@Suite("Realtime: event fan-out by permission, presence, unread counts")
struct RealtimeTests {
    @Test("agents hear every ticket event; a customer only public news of their own tickets")
    func fanOut() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("agent@example.com", by: admin)
            let alice = try await h.customer("alice@example.com")
            let bob = try await h.customer("bob@example.com")
            let (_, agentFrames) = await h.connect(agent, role: .agent, name: "Agent")
            let (_, aliceFrames) = await h.connect(alice, role: .customer, name: "Alice")
            let (_, bobFrames) = await h.connect(bob, role: .customer, name: "Bob")

            let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": "Printer", "description": "Broken"],
                                              token: alice.accessToken)
            let ticketID = try #require(created["id"])
            try await h.settleRealtime()
            // The description is not announced again as a comment.
            #expect(await agentFrames.events() == ["ticket.created"])
            #expect(await aliceFrames.events() == ["ticket.created"])
            #expect(await bobFrames.events() == [])
            let event = try #require(await agentFrames.firstEvent())
            #expect(event.ticketID == ticketID && event.number == 1)

            await agentFrames.clear(); await aliceFrames.clear()
            let note = try await h.request(.post, "/api/v1/tickets/\(ticketID)/comments",
                                           json: ["body": "Customer is VIP, escalate", "public": false], token: agent.accessToken)
            #expect(note.status == 201)
            try await h.settleRealtime()
            #expect(await agentFrames.events() == ["comment.added:internal"])
            #expect(await aliceFrames.events() == [], "an internal note must not even be announced to the customer")

            let reply = try await h.request(.post, "/api/v1/tickets/\(ticketID)/comments",
                                            json: ["body": "We are on it", "public": true], token: agent.accessToken)
            #expect(reply.status == 201)
            try await h.settleRealtime()
            #expect(await aliceFrames.events().contains("comment.added:public"))
            #expect(await bobFrames.events() == [])
            // The reply notified Alice in-app: her open pages get the new unread count.
            #expect(await aliceFrames.notifications().last ?? 0 >= 1)

            // Internal changes (tags, assignee) are announced to agents only.
            await agentFrames.clear(); await aliceFrames.clear()
            let tagged = try await h.request(.patch, "/api/v1/tickets/\(ticketID)", json: ["tags": ["vip"]],
                                             token: agent.accessToken)
            #expect(tagged.status == 200)
            try await h.settleRealtime()
            #expect(await agentFrames.events().contains("ticket.updated"))
            #expect(await aliceFrames.events() == [])
        }
    }

    @Test("connections opened or closed between events are heard, or not, from the next event on")
    func audienceFollowsConnections() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let first = try await h.staff("first@example.com", by: admin)
            let second = try await h.staff("second@example.com", by: admin)
            let (firstID, firstFrames) = await h.connect(first, role: .agent, name: "First")
            func open(_ subject: String) async throws {
                let created = try await h.request(.post, "/api/v1/tickets", json: ["subject": subject, "description": "-"],
                                                  token: admin.accessToken)
                #expect(created.status == 201)
                try await h.settleRealtime()
            }
            try await open("One")
            let (_, secondFrames) = await h.connect(second, role: .agent, name: "Second")
            try await open("Two")
            await h.system.realtime.unregister(firstID)
            try await open("Three")
            // The gateway's metrics count the connections open now. Through a separate gateway process, the one
            // answering holds none of this test's connections (they are on the services' hub).
            let open = try await h.request(.get, "/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix("helpdesk_realtime_connections ") }
            #expect(open == "helpdesk_realtime_connections \(TestBackend.throughGateway ? 0 : 1)")
            let (heardByFirst, heardBySecond) = (await firstFrames.events(), await secondFrames.events())
            #expect(heardByFirst == ["ticket.created", "ticket.created"], "not after it closed")
            #expect(heardBySecond == ["ticket.created", "ticket.created"], "from the event after it opened")
        }
    }

    @Test("agents see who else is viewing or replying on a ticket; customers never share presence")
    func presence() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let one = try await h.staff("one@example.com", by: admin)
            let two = try await h.staff("two@example.com", by: admin)
            let customer = try await h.customer("c@example.com")
            let (oneID, oneFrames) = await h.connect(one, role: .agent, name: "Agent One")
            let (twoID, twoFrames) = await h.connect(two, role: .agent, name: "Agent Two")
            let (customerID, customerFrames) = await h.connect(customer, role: .customer, name: "Customer")
            let ticket = UUID()

            await h.system.realtime.setPresence(oneID, ticketID: ticket, state: "viewing")
            await h.system.realtime.setPresence(twoID, ticketID: ticket, state: "replying")
            await h.system.realtime.setPresence(customerID, ticketID: ticket, state: "viewing")
            try await Task.sleep(for: .milliseconds(100))
            #expect(await oneFrames.presence().last == ["Agent Two:replying"])
            #expect(await twoFrames.presence().last == ["Agent One:viewing"], "the customer is not listed")
            #expect(await customerFrames.presence().isEmpty)

            // One connection cannot pin presence on unlimited tickets.
            for _ in 0..<60 { await h.system.realtime.setPresence(oneID, ticketID: UUID(), state: "viewing") }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await oneFrames.errors().contains("too_many_presences"))

            // Closing a tab clears its presence for the others: exactly one new frame, with nobody left.
            await oneFrames.clear()
            await h.system.realtime.unregister(twoID)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await oneFrames.presence() == [[]])
        }
    }
}
