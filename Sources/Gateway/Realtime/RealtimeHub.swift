import Foundation
import HelpdeskCore
import Platform

/// The open realtime connections of this process: who may hear about which ticket, and who is looking at
/// which ticket (presence). Writes never wait for a client: a socket's frames are handed to its event loop
/// (a page that stops reading is closed there), a queue's are yielded.
public actor RealtimeHub {
    /// One open connection: who it is, and where its outgoing frames go.
    public struct Connection: Sendable {
        let principal: Principal
        let name: String
        let outlet: Outlet

        /// Where a connection's frames go.
        enum Outlet: Sendable {
            /// A WebSocket, written on its event loop.
            case socket(RealtimeSocket)
            /// A queue someone else reads (tests; transports without a channel).
            case queue(AsyncStream<String>.Continuation)
        }

        public init(principal: Principal, name: String, socket: RealtimeSocket) {
            self.principal = principal
            self.name = name
            self.outlet = .socket(socket)
        }

        public init(principal: Principal, name: String, outbox: AsyncStream<String>.Continuation) {
            self.principal = principal
            self.name = name
            self.outlet = .queue(outbox)
        }
    }

    struct PresenceEntry: Equatable {
        let userID: UUID
        let name: String
        var state: String
    }

    private let tickets: any TicketDirectory
    private var connections: [UUID: Connection] = [:]
    /// Who hears every ticket event of a workspace (its staff), ready to write: built on the first event after
    /// a staff connection came or went, so that a fan-out to 10,000 sockets does not walk them all first.
    private var staffAudience: [UUID: Audience] = [:]
    /// A workspace's customer connections (connection → user): they hear only of their own tickets.
    private var customerConnections: [UUID: [UUID: UUID]] = [:]
    /// A user's open connections, for their unread counts.
    private var byUser: [UserKey: Set<UUID>] = [:]

    struct UserKey: Hashable {
        let workspaceID: UUID
        let userID: UUID
    }

    struct Audience {
        var sockets: RealtimeSocket.Groups = []
        var queues: [AsyncStream<String>.Continuation] = []
    }
    /// Where presence is kept: a ticket of a workspace.
    struct PresenceKey: Hashable {
        let workspaceID: UUID
        let ticketID: UUID
    }

    /// ticket → connection id → what that connection's user is doing there.
    private var presence: [PresenceKey: [UUID: PresenceEntry]] = [:]
    /// How many tickets one connection may announce presence on (a tab shows one; a few tabs share a socket).
    static let maxPresencePerConnection = 50

    init(tickets: any TicketDirectory) {
        self.tickets = tickets
    }

    public var connectionCount: Int { connections.count }

    /// Adds a connection; `greeting` is queued first, before any event published meanwhile can reach it.
    public func register(_ id: UUID, _ connection: Connection, greeting: String? = nil) {
        connections[id] = connection
        indexed(id, connection, present: true)
        if let greeting { send(greeting, to: id) }
    }

    private func indexed(_ id: UUID, _ connection: Connection, present: Bool) {
        let workspaceID = connection.principal.workspaceID
        let user = UserKey(workspaceID: workspaceID, userID: connection.principal.userID)
        if present {
            byUser[user, default: []].insert(id)
        } else {
            byUser[user]?.remove(id)
            if byUser[user]?.isEmpty == true { byUser[user] = nil }
        }
        if connection.principal.role.isStaff {
            staffAudience[workspaceID] = nil
        } else {
            customerConnections[workspaceID, default: [:]][id] = present ? connection.principal.userID : nil
            if customerConnections[workspaceID]?.isEmpty == true { customerConnections[workspaceID] = nil }
        }
    }

    private func audience(_ workspaceID: UUID) -> Audience {
        if let cached = staffAudience[workspaceID] { return cached }
        var audience = Audience()
        var sockets: [RealtimeSocket] = []
        for connection in connections.values
        where connection.principal.workspaceID == workspaceID && connection.principal.role.isStaff {
            switch connection.outlet {
            case .socket(let socket): sockets.append(socket)
            case .queue(let queue): audience.queues.append(queue)
            }
        }
        audience.sockets = RealtimeSocket.group(sockets)
        staffAudience[workspaceID] = audience
        return audience
    }

    /// Forgets a connection. Once this returns no frame of the hub's is written to it later than a frame the
    /// caller writes next (a close frame): every write already handed to its event loop is queued before it.
    public func unregister(_ id: UUID) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        if case .queue(let outbox) = connection.outlet { outbox.finish() }
        indexed(id, connection, present: false)
        for key in presence.keys where presence[key]?[id] != nil {
            presence[key]?[id] = nil
            if presence[key]?.isEmpty == true { presence[key] = nil }
            broadcastPresence(key)
        }
    }

    // MARK: - Presence

    /// States a client may announce on a ticket; `left` clears it.
    static let presenceStates: Set<String> = ["viewing", "replying", "left"]

    /// Records what a connection's user does on a ticket and tells the others watching it. Only staff share
    /// presence (it exists so two agents do not answer the same customer twice); customers never see it.
    public func setPresence(_ id: UUID, ticketID: UUID, state: String) {
        guard let connection = connections[id], connection.principal.role.isStaff else { return }
        let key = PresenceKey(workspaceID: connection.principal.workspaceID, ticketID: ticketID)
        let previous = presence[key]?[id]
        if state == "left" {
            guard previous != nil else { return }
            presence[key]?[id] = nil
            if presence[key]?.isEmpty == true { presence[key] = nil }
        } else {
            if previous == nil, presence.values.count(where: { $0[id] != nil }) >= Self.maxPresencePerConnection {
                send(RealtimeMessage.encode(["type": .string("error"), "code": .string("too_many_presences")]), to: id)
                return
            }
            let entry = PresenceEntry(userID: connection.principal.userID, name: connection.name, state: state)
            guard previous != entry else { return }
            presence[key, default: [:]][id] = entry
            // The newcomer learns who is already there.
            send(presenceMessage(key, for: connection.principal.userID), to: id)
        }
        broadcastPresence(key)
    }

    private func broadcastPresence(_ key: PresenceKey) {
        guard let watchers = presence[key] else { return }
        for (id, _) in watchers {
            guard let connection = connections[id] else { continue }
            send(presenceMessage(key, for: connection.principal.userID), to: id)
        }
    }

    /// Who else is on the ticket: one entry per user (their most active state across tabs), never oneself.
    private func presenceMessage(_ key: PresenceKey, for viewer: UUID) -> String {
        let ticketID = key.ticketID
        var byUser: [UUID: PresenceEntry] = [:]
        for entry in (presence[key] ?? [:]).values where entry.userID != viewer {
            if byUser[entry.userID]?.state != "replying" { byUser[entry.userID] = entry }
        }
        let users: [JSONValue] = byUser.values.sorted { $0.name < $1.name }.map {
            .object(["id": .string($0.userID.lowercased), "name": .string($0.name), "state": .string($0.state)])
        }
        return RealtimeMessage.encode(["type": .string("presence"), "ticket_id": .string(ticketID.lowercased),
                                       "users": .array(users)])
    }

    // MARK: - Events

    /// The bus subscription feeding the hub. It does not read history: a page only cares about what happens
    /// while it is open.
    static func subscription(_ hub: RealtimeHub) -> EventSubscription {
        EventSubscription(consumer: "realtime", eventTypes: ["ticket.created", "ticket.updated", "ticket.status_changed",
                                                             "ticket.assigned", "ticket.merged", "ticket.deleted",
                                                             "comment.added",
                                                             // Staff pages redraw SLA badges from the snapshot these carry.
                                                             "sla.updated", "sla.warning", "sla.breached", "sla.achieved"],
                          readsHistory: false,
                          // A repeated frame only makes a page reload: batches skip the consumer ledger.
                          handleBatch: { events in for event in events { await hub.publish(event) } }) { event in
            await hub.publish(event)
        }
    }

    /// Ticket events a customer hears about (on their own tickets). Kept to those that are always public news:
    /// an update or merge may be internal (tags, assignee, another requester's ticket), so they are not sent.
    static let customerEventTypes: Set<String> = ["ticket.created", "ticket.status_changed", "comment.added"]

    /// Tells every connection allowed to see the ticket that it changed. The message names the ticket and the
    /// comment only: pages reload through the API, which applies the permissions to the content.
    public func publish(_ event: EventEnvelope) async {
        guard event.subject.type == "ticket" else { return }
        // A new ticket is news once: the description it was opened with comes with ticket.created, and a second
        // frame would only make every open page reload again (and double the fan-out).
        if event.type == "comment.added", case .bool(true)? = event.data["initial"] { return }
        // Only a comment says whether it is public; anything unmarked counts as internal for customers.
        let isPublic: Bool = if case .bool(true)? = event.data["public"] { true } else { false }
        var message: [String: JSONValue] = [
            "type": .string(event.type), "ticket_id": .string(event.subject.id.lowercased),
            "occurred_at": .string(RFC3339.string(from: event.occurredAt)),
        ]
        if case .number(let n)? = event.data["number"] { message["ticket_number"] = .number(n) }
        if let comment = event.data["comment_id"] { message["comment_id"] = comment }
        if event.type == "comment.added" { message["public"] = .bool(isPublic) }
        // Internal promises: sla.* events are not among customerEventTypes, so only staff get the snapshot.
        if event.type.hasPrefix("sla."), let sla = event.data["sla"] { message["sla"] = sla }
        let text = RealtimeMessage.encode(["type": .string("event"), "event": .object(message)])

        // Staff first, before the await below: once the actor is let go, a connection may unregister and write its
        // close frame, and nothing of ours may follow that.
        let staff = audience(event.workspaceID)
        if !staff.sockets.isEmpty { RealtimeSocket.send(RealtimeSocket.textFrame(text), to: staff.sockets) }
        for queue in staff.queues { queue.yield(text) }

        let customersHear = Self.customerEventTypes.contains(event.type) && (event.type != "comment.added" || isPublic)
        guard customersHear, customerConnections[event.workspaceID] != nil,
              let ticket = try? await tickets.ticket(workspaceID: event.workspaceID, id: event.subject.id) else { return }
        // Read after the ticket loaded: connections may have come and gone meanwhile.
        var outlets: [Connection.Outlet] = []
        for (id, userID) in customerConnections[event.workspaceID] ?? [:]
        where ticket.requesterID == userID || ticket.followerIDs.contains(userID) {
            if let outlet = connections[id]?.outlet { outlets.append(outlet) }
        }
        deliver(text, to: outlets)
    }

    /// Sends the new unread count to every open page of these users.
    public func inboxChanged(workspaceID: UUID, counts: [UUID: Int]) {
        for (userID, count) in counts {
            guard let ids = byUser[UserKey(workspaceID: workspaceID, userID: userID)] else { continue }
            send(RealtimeMessage.encode(["type": .string("notification"), "unread_count": .number(Double(count))]),
                 to: Array(ids))
        }
    }

    func send(_ text: String, to id: UUID) {
        send(text, to: [id])
    }

    /// One message to these connections (those still open).
    func send(_ text: String, to ids: [UUID]) {
        deliver(text, to: ids.compactMap { connections[$0]?.outlet })
    }

    /// One message to many outlets: encoded as a frame once, handed to each event loop once.
    private func deliver(_ text: String, to outlets: [Connection.Outlet]) {
        var sockets: [RealtimeSocket] = []
        sockets.reserveCapacity(outlets.count)
        for outlet in outlets {
            switch outlet {
            case .socket(let socket): sockets.append(socket)
            case .queue(let outbox): outbox.yield(text)
            }
        }
        if !sockets.isEmpty { RealtimeSocket.send(RealtimeSocket.textFrame(text), to: sockets) }
    }
}

/// JSON text frames of the realtime protocol.
enum RealtimeMessage {
    static func encode(_ object: [String: JSONValue]) -> String {
        let data = (try? JSONEncoder().encode(JSONValue.object(object))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [String: JSONValue]? {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        return object
    }
}
