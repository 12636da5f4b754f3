import Foundation
import HelpdeskCore
import Platform
import SQLKit

extension UserAccounts {
    /// Changes a user. Admins change anything; agents change customers' profile and organization;
    /// everyone changes their own name, locale and time zone.
    public func update(_ principal: Principal, id: UUID, _ changes: UserChanges) async throws -> User {
        let workspaceID = principal.workspaceID
        let store = self.store
        let now = clock.now
        guard let current = try await store.user(workspaceID: workspaceID, id: id, on: database.sql),
              principal.role.isStaff || id == principal.userID else {
            throw HelpdeskError.notFound("user")
        }
        try authorize(principal, target: current, changes: changes)

        var errors: [FieldError] = []
        var updated = current
        if let name = changes.name { updated.name = UserValidation.name(name, errors: &errors) ?? current.name }
        if let email = changes.email { updated.email = UserValidation.email(email, errors: &errors) ?? current.email }
        if let role = changes.role { updated.role = UserValidation.role(role, errors: &errors) ?? current.role }
        if let locale = changes.locale { updated.locale = UserValidation.locale(locale, errors: &errors) ?? current.locale }
        if let zone = changes.timeZone { updated.timeZone = UserValidation.timeZone(zone, errors: &errors) ?? current.timeZone }
        if case .set(let org) = changes.organizationID { updated.organizationID = org }
        if let active = changes.active { updated.active = active }
        try UserValidation.check(errors)
        let diff = UserEvents.diff(current, updated)
        if diff.isEmpty { return current }
        updated.updatedAt = now
        let deactivated = current.active && !updated.active
        let actor = principal.actor
        let result = updated

        do {
            try await database.transaction { db in
                if case .set(let org?) = changes.organizationID,
                   try await store.organization(workspaceID: workspaceID, id: org, on: db) == nil {
                    throw HelpdeskError.validation(field: "organization_id", "does not exist")
                }
                if result.email != current.email,
                   let other = try await store.user(workspaceID: workspaceID, email: result.email, on: db), other.id != id {
                    throw Self.emailTaken()
                }
                let losesAdmin = current.role == .admin && current.active && (result.role != .admin || !result.active)
                // Two admins demoting each other at once must not both pass the count (then the first-run setup
                // would open again to anyone): on PostgreSQL they queue on the setup lock; SQLite has one writer.
                if losesAdmin, db.dialect.name == "postgresql" {
                    try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.setupLockKey))").run()
                }
                if losesAdmin, try await store.activeAdminCount(workspaceID: workspaceID, on: db) <= 1 {
                    throw HelpdeskError.conflict(code: "last_admin", "The workspace must keep at least one active admin.")
                }
                try await store.update(result, on: db)
                if result.role == .customer && current.role != .customer {
                    // Customers are never team members.
                    _ = try await store.removeFromAllTeams(workspaceID: workspaceID, userID: id, on: db)
                }
                try await Outbox.append(UserEvents.event("user.updated", user: result, actor: actor,
                                                         data: ["changes": .object(diff)]), on: db)
                if deactivated {
                    try await Outbox.append(UserEvents.event("user.deactivated", user: result, actor: actor), on: db)
                }
            }
        } catch where Database.isUniqueViolation(error) {
            throw Self.emailTaken()
        }
        return result
    }

    /// Deactivates a user (`DELETE /users/{id}`): they can no longer log in, their history stays.
    public func deactivate(_ principal: Principal, id: UUID) async throws {
        try principal.require(.admin)
        _ = try await update(principal, id: id, UserChanges(active: false))
    }

    private func authorize(_ principal: Principal, target: User, changes: UserChanges) throws {
        switch principal.role {
        case .admin:
            return
        case .agent:
            if target.id == principal.userID && changes.isSelfService { return }
            guard target.role == .customer, changes.role == nil, changes.active == nil else {
                throw HelpdeskError.forbidden("Agents may edit customers' profiles only; roles and access are for admins.")
            }
        case .customer:
            guard changes.isSelfService else {
                throw HelpdeskError.forbidden("You may change your name, locale and time zone only.")
            }
        }
    }
}

/// Builds the users service's events.
enum UserEvents {
    static func event(_ type: String, user: User, actor: EventActor, data: [String: JSONValue] = [:]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: user.workspaceID, actor: actor,
                      subject: EventSubject(type: "user", id: user.id), occurredAt: user.updatedAt, data: .object(data))
    }

    /// `{field: {from, to}}` for every field that changed.
    static func diff(_ a: User, _ b: User) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        func add(_ key: String, _ x: JSONValue, _ y: JSONValue) { if x != y { out[key] = ["from": x, "to": y] } }
        add("name", .string(a.name), .string(b.name))
        add("email", .string(a.email), .string(b.email))
        add("role", .string(a.role.rawValue), .string(b.role.rawValue))
        add("organization_id", a.organizationID.map { .string($0.lowercased) } ?? .null,
            b.organizationID.map { .string($0.lowercased) } ?? .null)
        add("locale", .string(a.locale), .string(b.locale))
        add("time_zone", .string(a.timeZone), .string(b.timeZone))
        add("active", .bool(a.active), .bool(b.active))
        return out
    }
}
