import Foundation
import HelpdeskCore

/// A person in a workspace: customer, agent or admin.
public struct User: Sendable, Equatable, Encodable {
    public var id: UUID
    public var workspaceID: UUID
    public var email: String
    public var name: String
    public var role: Role
    public var organizationID: UUID?
    public var locale: String
    public var timeZone: String
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    /// Encoded as the API's user shape, the same one other services publish.
    public func encode(to encoder: any Encoder) throws {
        try directoryEntry.encode(to: encoder)
    }

    var directoryEntry: DirectoryUser {
        DirectoryUser(id: id, workspaceID: workspaceID, email: email, name: name, role: role,
                      organizationID: organizationID, locale: locale, timeZone: timeZone, active: active,
                      createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// A company the customers belong to.
public struct Organization: Sendable, Equatable, Encodable {
    public var id: UUID
    public var workspaceID: UUID
    public var name: String
    public var domains: [String]
    public var sharedTickets: Bool
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, domains
        case sharedTickets = "shared_tickets"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(domains, forKey: .domains)
        try c.encode(sharedTickets, forKey: .sharedTickets)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// What a customer may see of an organization: its name.
struct OrganizationSummary: Encodable {
    let id: String
    let name: String
}

/// A group of agents working the same tickets.
public struct Team: Sendable, Equatable, Encodable {
    public var id: UUID
    public var workspaceID: UUID
    public var name: String
    public var description: String
    public var memberIDs: [UUID]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case memberIDs = "member_ids"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(memberIDs.map(\.lowercased), forKey: .memberIDs)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
