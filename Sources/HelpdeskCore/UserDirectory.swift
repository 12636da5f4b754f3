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
    /// Whether the workspace has an admin yet (the web UI's first-run setup is offered until it has).
    func hasAdmin(workspaceID: UUID) async throws -> Bool
    /// Creates the first admin with a password; throws 409 `setup_complete` once any admin exists.
    func createFirstAdmin(workspaceID: UUID, email: String, name: String, password: String) async throws -> DirectoryUser
    /// Removes a user created by `registerCustomer` whose credentials could not be stored (compensation).
    func discardRegistration(workspaceID: UUID, id: UUID) async throws
    /// The organization with this id, if it exists in the workspace.
    func organization(workspaceID: UUID, id: UUID) async throws -> DirectoryOrganization?
    /// Whether a team with this id exists in the workspace.
    func teamExists(workspaceID: UUID, id: UUID) async throws -> Bool
    /// The members of a team; empty when the team does not exist.
    func teamMemberIDs(workspaceID: UUID, teamID: UUID) async throws -> [UUID]
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

/// A file as other services record it, e.g. in a comment's `attachments`.
public struct AttachmentInfo: Sendable, Equatable, Codable {
    public let id: UUID
    public let filename: String
    public let contentType: String
    public let size: Int64
    public let sha256: String
    public let createdAt: Date

    public init(id: UUID, filename: String, contentType: String, size: Int64, sha256: String, createdAt: Date) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size, sha256
        case contentType = "content_type"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(filename, forKey: .filename)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// The files service as the tickets service sees it: attaching uploads to a comment.
public protocol AttachmentRegistry: Sendable {
    /// Attaches the caller's unattached uploads to a comment; a file that does not exist in the workspace, is
    /// someone else's or is attached elsewhere is a 422 naming `attachment_ids[i]`, and then none is attached.
    func attach(workspaceID: UUID, fileIDs: [UUID], uploaderID: UUID, ticketID: UUID, commentID: UUID,
                isPublic: Bool) async throws -> [AttachmentInfo]
    /// Undoes `attach` when the comment could not be written (compensation).
    func detach(workspaceID: UUID, commentID: UUID) async throws
}

/// The tickets service as the files service sees it: may this caller read a comment's attachments?
public protocol TicketAccess: Sendable {
    func canSeeComment(_ principal: Principal, ticketID: UUID, isPublic: Bool) async throws -> Bool
}
