import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Changes to an organization; `nil` leaves a field alone.
public struct OrganizationChanges: Sendable {
    public var name: String?
    public var domains: [String]?
    public var sharedTickets: Bool?

    public init(name: String? = nil, domains: [String]? = nil, sharedTickets: Bool? = nil) {
        self.name = name
        self.domains = domains
        self.sharedTickets = sharedTickets
    }
}

/// Organizations: admins manage them, agents read them, a customer sees the name of their own.
public struct Organizations: Sendable {
    let database: Database
    let clock: TimeSource
    let store = UserStore()

    public init(database: Database, clock: TimeSource = .system) {
        self.database = database
        self.clock = clock
    }

    public func create(_ principal: Principal, name: String, domains: [String], sharedTickets: Bool) async throws -> Organization {
        try principal.require(.admin)
        var errors: [FieldError] = []
        let name = UserValidation.name(name, errors: &errors)
        let domains = UserValidation.domains(domains, errors: &errors)
        try UserValidation.check(errors)
        let now = clock.now
        let org = Organization(id: UUIDv7.make(at: now), workspaceID: principal.workspaceID, name: name!,
                               domains: domains!, sharedTickets: sharedTickets, createdAt: now, updatedAt: now)
        let store = self.store
        try await write {
            try await database.transaction { db in
                if try await store.organizationNamed(workspaceID: org.workspaceID, name: org.name, on: db) != nil {
                    throw Self.nameTaken()
                }
                try await store.insert(org, on: db)
                try await Outbox.append(Self.event("organization.created", org, principal, [
                    "name": .string(org.name), "domains": .array(org.domains.map { .string($0) }),
                    "shared_tickets": .bool(org.sharedTickets),
                ]), on: db)
            }
        }
        return org
    }

    /// Staff see any organization; a customer sees only their own, and only its name (`OrganizationSummary`).
    func get(_ principal: Principal, id: UUID, customerOrganization: UUID?) async throws -> Organization {
        if principal.role == .customer && customerOrganization != id { throw HelpdeskError.notFound("organization") }
        guard let org = try await store.organization(workspaceID: principal.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("organization")
        }
        return org
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<Organization> {
        guard principal.role.isStaff else { throw HelpdeskError.forbidden("Customers cannot list organizations.") }
        let after = try page.afterID()
        let orgs = try await store.organizations(workspaceID: principal.workspaceID, after: after,
                                                 limit: page.limit + 1, on: database.sql)
        return Page(rows: orgs, limit: page.limit) { $0.id.lowercased }
    }

    public func update(_ principal: Principal, id: UUID, _ changes: OrganizationChanges) async throws -> Organization {
        try principal.require(.admin)
        var errors: [FieldError] = []
        let name = changes.name.flatMap { UserValidation.name($0, errors: &errors) }
        let domains = changes.domains.flatMap { UserValidation.domains($0, errors: &errors) }
        try UserValidation.check(errors)
        let store = self.store
        let now = clock.now
        return try await write {
            try await database.transaction { db in
                guard var org = try await store.organization(workspaceID: principal.workspaceID, id: id, on: db) else {
                    throw HelpdeskError.notFound("organization")
                }
                var diff: [String: JSONValue] = [:]
                if let name, name != org.name {
                    if let other = try await store.organizationNamed(workspaceID: org.workspaceID, name: name, on: db),
                       other.id != id { throw Self.nameTaken() }
                    diff["name"] = ["from": .string(org.name), "to": .string(name)]
                    org.name = name
                }
                if let domains, domains != org.domains {
                    diff["domains"] = ["from": .array(org.domains.map { .string($0) }), "to": .array(domains.map { .string($0) })]
                    org.domains = domains
                }
                if let shared = changes.sharedTickets, shared != org.sharedTickets {
                    diff["shared_tickets"] = ["from": .bool(org.sharedTickets), "to": .bool(shared)]
                    org.sharedTickets = shared
                }
                if diff.isEmpty { return org }
                org.updatedAt = now
                try await store.update(org, on: db)
                try await Outbox.append(Self.event("organization.updated", org, principal, ["changes": .object(diff)]), on: db)
                return org
            }
        }
    }

    /// Deletes an organization; its members stay, without an organization.
    public func delete(_ principal: Principal, id: UUID) async throws {
        try principal.require(.admin)
        let store = self.store
        let now = clock.now
        try await database.transaction { db in
            guard var org = try await store.organization(workspaceID: principal.workspaceID, id: id, on: db) else {
                throw HelpdeskError.notFound("organization")
            }
            let members = try await store.clearOrganization(workspaceID: org.workspaceID, organizationID: id, at: now, on: db)
            try await store.deleteOrganization(workspaceID: org.workspaceID, id: id, on: db)
            org.updatedAt = now
            try await Outbox.append(Self.event("organization.deleted", org, principal, [
                "name": .string(org.name), "member_ids": .array(members.map { .string($0.lowercased) }),
            ]), on: db)
        }
    }

    /// Maps a racing duplicate name to the same 409 as the checked case.
    private func write<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch where Database.isUniqueViolation(error) { throw Self.nameTaken() }
    }

    static func nameTaken() -> HelpdeskError {
        .conflict(code: "name_taken", "An organization with this name already exists.", field: "name")
    }

    static func event(_ type: String, _ org: Organization, _ principal: Principal, _ data: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: org.workspaceID, actor: principal.actor,
                      subject: EventSubject(type: "organization", id: org.id), occurredAt: org.updatedAt, data: .object(data))
    }
}
