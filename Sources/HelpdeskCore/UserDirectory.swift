import Foundation

/// What the auth service needs to know about a user; owned by the users service.
public struct DirectoryUser: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    public let email: String
    public let name: String
    public let role: Role
    public let active: Bool

    public init(id: UUID, workspaceID: UUID, email: String, name: String, role: Role, active: Bool) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.name = name
        self.role = role
        self.active = active
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
}

/// The auth service as the users service sees it: passwords for users an admin creates.
public protocol CredentialRegistry: Sendable {
    /// Throws a 422 naming `password` when the password breaks the policy for this email.
    func checkPolicy(password: String, email: String) throws
    /// Sets (or replaces) the user's password.
    func setPassword(workspaceID: UUID, userID: UUID, password: String, actor: EventActor) async throws
}
