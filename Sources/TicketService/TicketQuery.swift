import Foundation
import HelpdeskCore
import Platform

/// The filters of `GET /tickets`, parsed and checked.
struct TicketFilter: Sendable {
    enum Assignee: Sendable { case any, none, user(UUID) }
    /// `sla=`: an open SLA target past its due time, or at risk (close to it, not yet past).
    enum SLAState: String, Sendable { case breached, atRisk = "at_risk" }

    /// Set for customers: their own tickets, plus their organization's when it shares tickets.
    struct Visibility: Sendable {
        var requesterID: UUID
        var sharedOrganizationID: UUID?
    }

    var visibleTo: Visibility?
    var statuses: [TicketStatus] = []
    var priorities: [TicketPriority] = []
    var assignee: Assignee = .any
    var teamID: UUID?
    var requesterID: UUID?
    var organizationID: UUID?
    var tags: [String] = []
    var types: [TicketType] = []
    var createdAfter: Date?
    var createdBefore: Date?
    var updatedAfter: Date?
    var updatedBefore: Date?
    var sla: SLAState?
    /// The instant `sla` is judged at (the service's clock).
    var now = Date()
    /// Free text from `q`, matched against `scope`.
    var text = SearchText()
    var scope = SearchScope.all

    /// True when nothing but the text narrows the list (an agent's plain search): the only case where walking
    /// the newest tickets and probing their documents is bounded by the text's own density.
    var onlyText: Bool {
        if case .any = assignee {} else { return false }
        return visibleTo == nil && statuses.isEmpty && priorities.isEmpty && teamID == nil && requesterID == nil
            && organizationID == nil && tags.isEmpty && types.isEmpty && createdAfter == nil && createdBefore == nil
            && updatedAfter == nil && updatedBefore == nil && sla == nil
    }

    /// True when every filter besides the text is on a column of the creation index (status, priority, assignee,
    /// creation date): walking that index in order then costs an index entry per ticket passed, with no row read
    /// until a ticket passes, so a bounded window of the newest filtered tickets is cheap to walk.
    var filtersOnCreationIndex: Bool {
        visibleTo == nil && teamID == nil && requesterID == nil && organizationID == nil && tags.isEmpty
            && types.isEmpty && updatedAfter == nil && updatedBefore == nil && sla == nil
    }

    /// Reads the query parameters; a bad value is a 400 naming the parameter.
    static func parse(_ query: (String) -> String?, me: UUID) throws -> TicketFilter {
        var filter = TicketFilter()
        func uuid(_ name: String) throws -> UUID? {
            guard let raw = query(name) else { return nil }
            guard let id = UUID(uuidString: raw) else { throw HelpdeskError.badParameter(name, "must be a UUID") }
            return id
        }
        func date(_ name: String) throws -> Date? {
            guard let raw = query(name) else { return nil }
            if let d = RFC3339.date(from: raw) { return d }
            if raw.count == 10, let d = RFC3339.date(from: raw + "T00:00:00Z") { return d }
            throw HelpdeskError.badParameter(name, "must be an RFC 3339 timestamp or a date (2026-01-31)")
        }
        if let raw = query("status") {
            filter.statuses = try raw.split(separator: ",").map {
                guard let s = TicketStatus(rawValue: String($0)) else {
                    throw HelpdeskError.badParameter("status", "must be among new, open, pending, on_hold, solved, closed")
                }
                return s
            }
        }
        if let raw = query("priority") {
            filter.priorities = try raw.split(separator: ",").map {
                guard let p = TicketPriority(rawValue: String($0)) else {
                    throw HelpdeskError.badParameter("priority", "must be among low, normal, high, urgent")
                }
                return p
            }
        }
        switch query("assignee_id") {
        case nil: break
        case "me"?: filter.assignee = .user(me)
        case "none"?: filter.assignee = TicketFilter.Assignee.none
        default: filter.assignee = .user(try uuid("assignee_id")!)
        }
        filter.teamID = try uuid("team_id")
        filter.requesterID = try uuid("requester_id")
        filter.organizationID = try uuid("organization_id")
        filter.tags = query("tag").map { [$0.lowercased()] } ?? []
        filter.createdAfter = try date("created_after")
        filter.updatedAfter = try date("updated_after")
        if let raw = query("sla") {
            guard let state = SLAState(rawValue: raw) else { throw HelpdeskError.badParameter("sla", "must be breached or at_risk") }
            filter.sla = state
        }
        return filter
    }
}

/// How a list is ordered and paged: by a sort key (keyset cursor), or by search relevance (offset cursor, since
/// ranks are not stable keys).
enum TicketOrder: Sendable {
    case keyset(TicketSort, after: TicketSort.Key?)
    case relevance(offset: Int)
    /// Matches of a broad search, newest first: the index yields them in that order, so a page costs its own
    /// rows instead of ranking every match.
    case newestMatches(offset: Int)
}

/// The order of `GET /tickets`: `?sort=field` or `?sort=-field`; default newest first.
struct TicketSort: Sendable {
    var field: String
    var descending: Bool

    /// The position of a row in this order, carried in the cursor.
    struct Key: Sendable {
        var value: Int64
        var id: UUID
    }

    /// `sla_due`: the earliest due time of the ticket's open SLA targets; tickets with nothing due come last.
    static let fields = ["created_at", "updated_at", "priority", "status", "number", "sla_due"]

    static func parse(_ raw: String?) throws -> TicketSort {
        guard let raw, !raw.isEmpty else { return TicketSort(field: "created_at", descending: true) }
        let descending = raw.hasPrefix("-")
        let field = descending ? String(raw.dropFirst()) : raw
        guard fields.contains(field) else {
            throw HelpdeskError.badParameter("sort", "must be one of \(fields.joined(separator: ", ")), optionally prefixed by -")
        }
        return TicketSort(field: field, descending: descending)
    }

    var column: String {
        switch field {
        case "priority": "priority_rank"
        case "status": "status_rank"
        case "sla_due": "sla_due_at"
        default: field
        }
    }

    func key(of t: Ticket) -> Key {
        let value: Int64 = switch field {
        case "updated_at": t.updatedAt.epochMilliseconds
        case "priority": Int64(t.priority.rank)
        case "status": Int64(t.status.rank)
        case "number": Int64(t.number)
        case "sla_due": t.slaDueAt
        default: t.createdAt.epochMilliseconds
        }
        return Key(value: value, id: t.id)
    }

    /// Cursor text: `field:value:id`, so a cursor from one order is refused in another.
    func cursor(for t: Ticket) -> String {
        let k = key(of: t)
        return Cursor.encode("\(field):\(k.value):\(k.id.lowercased)")
    }

    func decode(_ raw: String?) throws -> Key? {
        guard let raw else { return nil }
        let parts = raw.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == field, let value = Int64(parts[1]), let id = UUID(uuidString: parts[2]) else {
            throw HelpdeskError.badParameter("cursor", "does not belong to this sort order")
        }
        return Key(value: value, id: id)
    }
}
