import Foundation

/// A user as other services see it: the public user shape of the API.
public struct DirectoryUser: Sendable, Equatable, Encodable {
    public let id: UUID
    public let workspaceID: UUID
    public let email: String
    public let name: String
    public let role: Role
    public let organizationID: UUID?
    public let locale: String
    public let timeZone: String
    public let active: Bool
    public let createdAt: Date
    public let updatedAt: Date

    public init(id: UUID, workspaceID: UUID, email: String, name: String, role: Role, organizationID: UUID?,
                locale: String, timeZone: String, active: Bool, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.name = name
        self.role = role
        self.organizationID = organizationID
        self.locale = locale
        self.timeZone = timeZone
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, locale, active
        case organizationID = "organization_id"
        case timeZone = "time_zone"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(organizationID?.lowercased, forKey: .organizationID)
        try c.encode(locale, forKey: .locale)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(active, forKey: .active)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The users service as the auth service sees it. Local: a function call; remote: HTTP to the users service.
public protocol UserDirectory: Sendable {
    /// The user with this email (compared case-insensitively), active or not.
    func user(workspaceID: UUID, email: String) async throws -> DirectoryUser?
    /// The user with this id, active or not.
    func user(workspaceID: UUID, id: UUID) async throws -> DirectoryUser?
    /// Creates a customer through self-registration; throws a validation or `email_taken` error.
    func registerCustomer(workspaceID: UUID, email: String, name: String) async throws -> DirectoryUser
    /// Removes a user created by `registerCustomer` whose credentials could not be stored (compensation).
    func discardRegistration(workspaceID: UUID, id: UUID) async throws
    /// The organization with this id, if it exists in the workspace.
    func organization(workspaceID: UUID, id: UUID) async throws -> DirectoryOrganization?
    /// Whether a team with this id exists in the workspace.
    func teamExists(workspaceID: UUID, id: UUID) async throws -> Bool
}

/// What other services need to know about an organization.
public struct DirectoryOrganization: Sendable, Equatable {
    public let id: UUID
    public let name: String
    /// Whether its members see each other's tickets.
    public let sharedTickets: Bool

    public init(id: UUID, name: String, sharedTickets: Bool) {
        self.id = id
        self.name = name
        self.sharedTickets = sharedTickets
    }
}

/// The auth service as the users service sees it: passwords for users an admin creates.
public protocol CredentialRegistry: Sendable {
    /// Throws a 422 naming `password` when the password breaks the policy for this email.
    func checkPolicy(password: String, email: String) throws
    /// Sets (or replaces) the user's password.
    func setPassword(workspaceID: UUID, userID: UUID, password: String, actor: EventActor) async throws
}
