import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A saved ticket list: filters (the names of `GET /tickets` parameters) and a sort, personal or shared.
public struct TicketView: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID
    public var ownerID: UUID
    public var title: String
    public var filters: [String: String]
    public var sort: String?
    public var shared: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

extension TicketView: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, filters, sort, shared
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
        try c.encode(shared, forKey: .shared)
        try c.encode(ownerID.lowercased, forKey: .ownerID)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
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

/// Saved views: agents keep personal ones; admins share them with every agent.
public struct TicketViews: Sendable {
    static let filterNames: Set<String> = ["status", "priority", "assignee_id", "team_id", "requester_id",
                                           "organization_id", "tag", "q", "created_after", "updated_after"]
    let tickets: Tickets

    var store: TicketStore { tickets.store }
    var database: Database { tickets.database }

    /// Shared views and the caller's own, oldest first.
    public func list(_ p: Principal) async throws -> [TicketView] {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Views are for agents.") }
        return try await store.views(workspaceID: p.workspaceID, visibleTo: p.userID, on: database.sql)
    }

    public func get(_ p: Principal, id: UUID) async throws -> TicketView {
        guard p.role.isStaff, let view = try await store.view(workspaceID: p.workspaceID, id: id, on: database.sql),
              view.shared || view.ownerID == p.userID else { throw HelpdeskError.notFound("view") }
        return view
    }

    public func create(_ p: Principal, title: String?, filters: [String: String], sort: String?, shared: Bool) async throws -> TicketView {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Views are for agents.") }
        if shared && p.role != .admin { throw HelpdeskError.forbidden("Only admins create shared views.") }
        let now = tickets.clock.now
        var view = TicketView(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, ownerID: p.userID, title: "",
                              filters: [:], sort: nil, shared: shared, createdAt: now, updatedAt: now)
        try check(&view, title: title, filters: filters, sort: sort, requireTitle: true)
        let created = view
        try await database.transaction { [store] db in try await store.insert(created, on: db) }
        return created
    }

    public func update(_ p: Principal, id: UUID, title: String?, filters: [String: String]?, sort: FieldUpdate<String?>,
                       shared: Bool?) async throws -> TicketView {
        var view = try await get(p, id: id)
        try authorizeChange(p, view)
        if let shared, shared != view.shared {
            guard p.role == .admin else { throw HelpdeskError.forbidden("Only admins share views.") }
            view.shared = shared
        }
        try check(&view, title: title, filters: filters, sort: sort.value ?? nil, requireTitle: false,
                  clearSort: sort == .set(nil))
        view.updatedAt = tickets.clock.now
        let updated = view
        try await database.transaction { [store] db in try await store.update(updated, on: db) }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        let view = try await get(p, id: id)
        try authorizeChange(p, view)
        try await database.transaction { [store] db in
            try await store.deleteView(workspaceID: p.workspaceID, id: id, on: db)
        }
    }

    /// The view's tickets as the caller may see them, with the total count.
    public func tickets(_ p: Principal, id: UUID, page: PageRequest) async throws -> ViewTickets {
        let view = try await get(p, id: id)
        let query: (String) -> String? = { name in name == "sort" ? view.sort : view.filters[name] }
        let items = try await tickets.list(p, query: query, page: page)
        let count = try await tickets.count(p, query: query)
        return ViewTickets(page: items, count: count)
    }

    private func authorizeChange(_ p: Principal, _ view: TicketView) throws {
        if view.shared ? p.role != .admin : view.ownerID != p.userID {
            throw HelpdeskError.forbidden("Only admins change shared views; only their owner changes personal ones.")
        }
    }

    /// Applies and checks the parts sent; filters are validated exactly as `GET /tickets` would read them.
    private func check(_ view: inout TicketView, title: String?, filters: [String: String]?, sort: String?,
                       requireTitle: Bool, clearSort: Bool = false) throws {
        var errors: [FieldError] = []
        if let raw = title, raw.textLength <= 200, case let title = raw.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty {
            view.title = title
        } else if title != nil || requireTitle {
            errors.append(.init(field: "title", message: "must be 1 to 200 characters"))
        }
        if let filters {
            for key in filters.keys.sorted() where !Self.filterNames.contains(key) {
                errors.append(.init(field: "filters.\(key)", message: "is not a ticket list filter"))
            }
            for key in filters.keys.sorted() where Self.filterNames.contains(key) {
                do {
                    if key == "q" { _ = try TicketSearchQuery.parse(filters[key]!) } else {
                        _ = try TicketFilter.parse({ $0 == key ? filters[key] : nil }, me: view.ownerID)
                    }
                } catch let error as HelpdeskError {
                    errors.append(.init(field: "filters.\(key)", message: error.errors.first?.message ?? "is invalid"))
                }
            }
            view.filters = filters
        }
        if let sort {
            do { _ = try TicketSort.parse(sort); view.sort = sort } catch {
                errors.append(.init(field: "sort", message: "must be one of \(TicketSort.fields.joined(separator: ", ")), optionally prefixed by -"))
            }
        } else if clearSort {
            view.sort = nil
        }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
    }
}
