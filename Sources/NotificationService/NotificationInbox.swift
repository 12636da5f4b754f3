import Foundation
import HelpdeskCore
import Platform

/// A user's in-app notifications, and the admins' view of every delivery.
public struct NotificationInbox: Sendable {
    let database: Database
    let store: NotificationStore
    let clock: TimeSource

    public func list(_ p: Principal, unreadOnly: Bool, page: PageRequest) async throws -> InboxPage {
        let rows = try await store.inbox(workspaceID: p.workspaceID, userID: p.userID, unreadOnly: unreadOnly,
                                         before: try page.afterID(), limit: page.limit + 1, on: database.sql)
        let items = Array(rows.prefix(page.limit))
        let unread = try await store.unreadCount(workspaceID: p.workspaceID, userID: p.userID, on: database.sql)
        return InboxPage(items: items, nextCursor: rows.count > page.limit ? items.last.map { Cursor.encode($0.id.lowercased) } : nil,
                         unreadCount: unread)
    }

    /// Marks one of the caller's notifications read (idempotent); another user's id is a 404.
    /// How many unread in-app notifications a user has.
    public func unreadCount(workspaceID: UUID, userID: UUID) async throws -> Int {
        try await store.unreadCount(workspaceID: workspaceID, userID: userID, on: database.sql)
    }

    public func markRead(_ p: Principal, id: UUID) async throws -> InboxNotification {
        let now = clock.now
        _ = try await database.transaction { [store] db in
            try await store.markRead(workspaceID: p.workspaceID, userID: p.userID, id: id, at: now, on: db)
        }
        guard let n = try await store.notification(workspaceID: p.workspaceID, userID: p.userID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("notification")
        }
        return n
    }

    public func markAllRead(_ p: Principal) async throws -> Int {
        let now = clock.now
        return try await database.transaction { [store] db in
            try await store.markRead(workspaceID: p.workspaceID, userID: p.userID, id: nil, at: now, on: db)
        }
    }

    public func deliveries(_ p: Principal, filter: DeliveryFilter, page: PageRequest) async throws -> Page<Delivery> {
        try p.require(.admin)
        let rows = try await store.deliveries(workspaceID: p.workspaceID, filter: filter, before: try page.afterID(),
                                              limit: page.limit + 1, on: database.sql)
        let items = Array(rows.prefix(page.limit))
        return Page(items: items, nextCursor: rows.count > page.limit ? items.last.map { Cursor.encode($0.id.lowercased) } : nil)
    }

    /// Deliveries by status across the installation, for `/metrics`.
    public func deliveryCounts() async throws -> [String: Int] {
        try await store.deliveryCounts(on: database.sql)
    }
}
