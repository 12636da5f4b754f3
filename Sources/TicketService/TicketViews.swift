import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A saved ticket list: filters (the names of `GET /tickets` parameters), a sort and the table's columns;
/// personal, shared with one team, or shared with the workspace.
public struct TicketView: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID
    public var ownerID: UUID
    public var title: String
    public var filters: [String: String]
    public var sort: String?
    public var columns: [String]
    public var shared: Bool
    /// With `shared`, the one team that sees it; nil shares it with every agent.
    public var teamID: UUID?
    public var createdAt: Date
    public var updatedAt: Date
}

extension TicketView: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, filters, sort, columns, shared
        case teamID = "team_id"
        case ownerID = "owner_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(filters, forKey: .filters)
        try c.encode(sort, forKey: .sort)
        try c.encode(columns, forKey: .columns)
        try c.encode(shared, forKey: .shared)
        try c.encode(teamID?.lowercased, forKey: .teamID)
        try c.encode(ownerID.lowercased, forKey: .ownerID)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// What a create or PATCH of a view sends; nil (or `.absent`) leaves a part alone.
public struct TicketViewChange: Sendable {
    public var title: String?
    public var filters: [String: String]?
    public var sort: FieldUpdate<String?> = .absent
    public var columns: [String]?
    public var shared: Bool?
    public var teamID: FieldUpdate<UUID?> = .absent

    public init(title: String? = nil, filters: [String: String]? = nil, sort: FieldUpdate<String?> = .absent,
                columns: [String]? = nil, shared: Bool? = nil, teamID: FieldUpdate<UUID?> = .absent) {
        self.title = title
        self.filters = filters
        self.sort = sort
        self.columns = columns
        self.shared = shared
        self.teamID = teamID
    }
}

/// A view's tickets: a page plus how many match in all.
public struct ViewTickets: Sendable, Encodable {
    let page: Page<Ticket>
    let count: Int

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor", count }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(page.items, forKey: .items)
        try c.encode(page.nextCursor, forKey: .nextCursor)
        try c.encode(count, forKey: .count)
    }
}

/// Saved views: agents keep personal ones and share them with their teams; admins share them with every agent.
/// Each agent orders the views they see for themselves.
public struct TicketViews: Sendable {
    static let filterNames: Set<String> = ["status", "priority", "assignee_id", "team_id", "requester_id",
                                           "organization_id", "tag", "q", "created_after", "updated_after", "sla"]
    /// The ticket table's columns a view may choose, in the UI's default order.
    public static let columnNames = ["number", "subject", "requester", "status", "priority", "sla", "type", "assignee",
                                     "team", "tags", "created", "updated"]
    let tickets: Tickets

    var store: TicketStore { tickets.store }
    var database: Database { tickets.database }

    /// The views the caller sees, in the caller's order (views never ordered come last, oldest first).
    public func list(_ p: Principal) async throws -> [TicketView] {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Views are for agents.") }
        let candidates = try await store.views(workspaceID: p.workspaceID, visibleTo: p.userID, on: database.sql)
        var members: [UUID: Bool] = [:]
        var out: [TicketView] = []
        for view in candidates {
            if let team = view.teamID, view.shared, view.ownerID != p.userID, p.role != .admin {
                if members[team] == nil { members[team] = try await isMember(p, of: team) }
                if members[team] != true { continue }
            }
            out.append(view)
        }
        return out
    }

    public func get(_ p: Principal, id: UUID) async throws -> TicketView {
        guard p.role.isStaff, let view = try await store.view(workspaceID: p.workspaceID, id: id, on: database.sql),
              try await canSee(p, view) else { throw HelpdeskError.notFound("view") }
        return view
    }

    public func create(_ p: Principal, _ change: TicketViewChange) async throws -> TicketView {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Views are for agents.") }
        let now = tickets.clock.now
        var view = TicketView(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, ownerID: p.userID, title: "",
                              filters: [:], sort: nil, columns: [], shared: false, teamID: nil, createdAt: now, updatedAt: now)
        try await apply(change, to: &view, p, requireTitle: true)
        try await authorizeChange(p, view)
        let created = view
        try await database.transaction { [store] db in try await store.insert(created, on: db) }
        return created
    }

    public func update(_ p: Principal, id: UUID, _ change: TicketViewChange) async throws -> TicketView {
        var view = try await get(p, id: id)
        try await authorizeChange(p, view)
        try await apply(change, to: &view, p, requireTitle: false)
        // Who may change the view as it becomes, too: an agent cannot hand a view to the whole workspace.
        try await authorizeChange(p, view)
        view.updatedAt = tickets.clock.now
        let updated = view
        try await database.transaction { [store] db in try await store.update(updated, on: db) }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        let view = try await get(p, id: id)
        try await authorizeChange(p, view)
        try await database.transaction { [store] db in
            try await store.deleteView(workspaceID: p.workspaceID, id: id, on: db)
        }
    }

    /// `PUT /views/order`: the caller's order of the views they see; views left out follow, oldest first.
    public func reorder(_ p: Principal, ids: [String]) async throws -> [TicketView] {
        let visible = try await list(p)
        let known = Set(visible.map(\.id))
        var seen: Set<UUID> = []
        var ordered: [UUID] = []
        var errors: [FieldError] = []
        for (i, raw) in ids.enumerated() {
            guard let id = UUID(uuidString: raw) else { errors.append(.init(field: "ids[\(i)]", message: "must be a UUID")); continue }
            if !known.contains(id) { errors.append(.init(field: "ids[\(i)]", message: "is not a view you see")); continue }
            if !seen.insert(id).inserted { errors.append(.init(field: "ids[\(i)]", message: "is listed twice")); continue }
            ordered.append(id)
        }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        try await database.transaction { [store, ordered] db in
            try await store.setViewOrder(workspaceID: p.workspaceID, userID: p.userID, ids: ordered, on: db)
        }
        return try await list(p)
    }

    /// The view's tickets as the caller may see them, with the total count.
    public func tickets(_ p: Principal, id: UUID, page: PageRequest) async throws -> ViewTickets {
        let view = try await get(p, id: id)
        let query = Self.query(of: view)
        let items = try await tickets.list(p, query: query, page: page)
        let count = try await tickets.count(p, query: query)
        return ViewTickets(page: items, count: count)
    }

    /// The size of each view the caller sees, by id, each counted up to `cap` (the rail's live counts).
    public func counts(_ p: Principal, cap: Int) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for view in try await list(p) {
            counts[view.id.lowercased] = try await tickets.count(p, query: Self.query(of: view), cap: cap)
        }
        return counts
    }

    static func query(of view: TicketView) -> @Sendable (String) -> String? {
        { name in name == "sort" ? view.sort : view.filters[name] }
    }

    private func isMember(_ p: Principal, of team: UUID) async throws -> Bool {
        try await tickets.directory.teamMemberIDs(workspaceID: p.workspaceID, teamID: team).contains(p.userID)
    }

    private func canSee(_ p: Principal, _ view: TicketView) async throws -> Bool {
        if view.ownerID == p.userID { return true }
        guard view.shared else { return false }
        guard let team = view.teamID, p.role != .admin else { return true }
        return try await isMember(p, of: team)
    }

    /// Personal views are their owner's; team views belong to the team's members and admins; workspace views to admins.
    private func authorizeChange(_ p: Principal, _ view: TicketView) async throws {
        if !view.shared {
            if view.ownerID != p.userID { throw HelpdeskError.forbidden("Only their owner changes personal views.") }
        } else if let team = view.teamID {
            if p.role != .admin, !(try await isMember(p, of: team)) {
                throw HelpdeskError.forbidden("Only the team's members and admins change a team's views.")
            }
        } else if p.role != .admin {
            throw HelpdeskError.forbidden("Only admins share views with the whole workspace.")
        }
    }

    /// Applies and checks the parts sent; filters are validated exactly as `GET /tickets` would read them.
    private func apply(_ change: TicketViewChange, to view: inout TicketView, _ p: Principal, requireTitle: Bool) async throws {
        var errors: [FieldError] = []
        if let raw = change.title, raw.textLength <= 200, case let title = raw.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty {
            view.title = title
        } else if change.title != nil || requireTitle {
            errors.append(.init(field: "title", message: "must be 1 to 200 characters"))
        }
        if let filters = change.filters {
            errors += Self.check(filters: filters, me: view.ownerID)
            view.filters = filters
        }
        switch change.sort {
        case .absent: break
        case .set(nil): view.sort = nil
        case .set(let sort?):
            do { _ = try TicketSort.parse(sort); view.sort = sort } catch {
                errors.append(.init(field: "sort", message: "must be one of \(TicketSort.fields.joined(separator: ", ")), optionally prefixed by -"))
            }
        }
        if let columns = change.columns {
            var seen: Set<String> = []
            for (i, column) in columns.enumerated() {
                if !Self.columnNames.contains(column) {
                    errors.append(.init(field: "columns[\(i)]", message: "must be one of \(Self.columnNames.joined(separator: ", "))"))
                } else if !seen.insert(column).inserted {
                    errors.append(.init(field: "columns[\(i)]", message: "is listed twice"))
                }
            }
            view.columns = columns
        }
        if let shared = change.shared { view.shared = shared }
        if case .set(let team) = change.teamID { view.teamID = team }
        if let team = view.teamID {
            if !view.shared {
                errors.append(.init(field: "team_id", message: "belongs to a shared view: send shared true with it"))
            } else if case .set = change.teamID, !(try await tickets.directory.teamExists(workspaceID: p.workspaceID, id: team)) {
                errors.append(.init(field: "team_id", message: "is not a team of this workspace"))
            }
        }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
    }

    private static func check(filters: [String: String], me: UUID) -> [FieldError] {
        var errors: [FieldError] = []
        for key in filters.keys.sorted() {
            guard filterNames.contains(key) else {
                errors.append(.init(field: "filters.\(key)", message: "is not a ticket list filter"))
                continue
            }
            do {
                if key == "q" { _ = try TicketSearchQuery.parse(filters[key]!) } else {
                    _ = try TicketFilter.parse({ $0 == key ? filters[key] : nil }, me: me)
                }
            } catch let error as HelpdeskError {
                errors.append(.init(field: "filters.\(key)", message: error.errors.first?.message ?? "is invalid"))
            } catch {
                errors.append(.init(field: "filters.\(key)", message: "is invalid"))
            }
        }
        return errors
    }
}
