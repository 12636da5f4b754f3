import Foundation
import HelpdeskCore

/// Who is told what about a ticket event. Plain logic over a ticket snapshot, so every rule is testable
/// without a database:
///
/// - the requester gets an acknowledgement when a ticket is created (even their own: that is its point),
///   a public reply from staff, and the solution;
/// - the assignee (or, with nobody assigned, the team) hears of an assignment and of a customer reply;
/// - followers hear of every public change;
/// - internal notes reach staff only;
/// - a staff member hears of mail that claimed their address without being verified (even as its "author");
/// - nobody is told of their own action.
public struct NotificationRules: Sendable {
    /// One person to notify: `staffOnly` recipients are dropped unless they turn out to be agents or admins.
    public struct Recipient: Sendable, Equatable {
        public let userID: UUID
        public let kind: NotificationKind
        public let staffOnly: Bool
    }

    /// What the rules need besides the event.
    public struct Facts: Sendable {
        public var ticket: TicketSnapshot
        public var comment: CommentSnapshot?
        /// Whether the comment's author is an agent or admin.
        public var authorIsStaff: Bool
        /// Members of the ticket's team (empty without a team).
        public var teamMembers: [UUID]

        public init(ticket: TicketSnapshot, comment: CommentSnapshot? = nil, authorIsStaff: Bool = false, teamMembers: [UUID] = []) {
            self.ticket = ticket
            self.comment = comment
            self.authorIsStaff = authorIsStaff
            self.teamMembers = teamMembers
        }
    }

    /// The event types the rules react to.
    public static let eventTypes: Set<String> = ["ticket.created", "comment.added", "ticket.status_changed",
                                                 "ticket.assigned", "ticket.updated"]

    public init() {}

    public func recipients(for event: EventEnvelope, facts: Facts) -> [Recipient] {
        let t = facts.ticket
        var out: [Recipient] = []
        func add(_ ids: [UUID], _ kind: NotificationKind, staffOnly: Bool = false) {
            for id in ids { out.append(Recipient(userID: id, kind: kind, staffOnly: staffOnly)) }
        }
        let owners = t.assigneeID.map { [$0] } ?? facts.teamMembers
        switch event.type {
        case "ticket.created":
            add([t.requesterID], .ticketCreated)
            add(owners, .ticketAssigned, staffOnly: true)
        case "comment.added":
            if let c = facts.comment, c.unverifiedSender { add([c.authorID], .unverifiedSender, staffOnly: true) }
            // The description written with the ticket is covered by the acknowledgement.
            guard let c = facts.comment, event.data["initial"] != .bool(true) else { break }
            if !c.isPublic {
                add(owners + t.followerIDs, .internalNote, staffOnly: true)
            } else if facts.authorIsStaff {
                add([t.requesterID] + t.followerIDs, .publicReply)
            } else {
                add(owners, .customerReply, staffOnly: true)
                add(t.followerIDs, .customerReply, staffOnly: true)
                add(t.followerIDs + [t.requesterID], .publicReply) // other customers following the ticket
            }
        case "ticket.status_changed":
            if event.data["to"] == .string("solved") { add([t.requesterID] + t.followerIDs, .ticketSolved) }
        case "ticket.assigned":
            if case .string(let raw)? = event.data["to"], let id = UUID(uuidString: raw) { add([id], .ticketAssigned, staffOnly: true) }
        case "ticket.updated":
            guard case .object(let changes)? = event.data["changes"] else { break }
            if changes["team_id"] != nil, t.assigneeID == nil { add(facts.teamMembers, .ticketAssigned, staffOnly: true) }
            let publicFields = ["subject", "priority", "type", "status"].filter { changes[$0] != nil }
            let onlySolved = publicFields == ["status"] && changes["status"]?["to"] == .string("solved")
            if !publicFields.isEmpty && !onlySolved { add(t.followerIDs, .ticketUpdated) }
        default:
            break
        }
        return Self.finalize(out, actor: event.actor.id)
    }

    /// Never to the actor, except the acknowledgement. Duplicates stay: the notifier drops staff-only entries
    /// for customers first, then keeps each person's first entry, so a customer follower of a customer reply
    /// gets the public kind while an agent follower gets the staff one.
    static func finalize(_ recipients: [Recipient], actor: UUID?) -> [Recipient] {
        recipients.filter { $0.userID != actor || $0.kind == .ticketCreated || $0.kind == .unverifiedSender }
    }
}
