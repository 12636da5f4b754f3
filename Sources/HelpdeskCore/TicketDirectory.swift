import Foundation

/// A ticket as other services need to see it (notifications): who is involved and what it is about.
public struct TicketSnapshot: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    public let number: Int
    public let subject: String
    public let status: String
    public let priority: String
    public let requesterID: UUID
    public let assigneeID: UUID?
    public let teamID: UUID?
    public let followerIDs: [UUID]
    public let createdAt: Date

    public init(id: UUID, workspaceID: UUID, number: Int, subject: String, status: String, priority: String,
                requesterID: UUID, assigneeID: UUID?, teamID: UUID?, followerIDs: [UUID], createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.number = number
        self.subject = subject
        self.status = status
        self.priority = priority
        self.requesterID = requesterID
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.followerIDs = followerIDs
        self.createdAt = createdAt
    }
}

/// A comment as other services need to see it.
public struct CommentSnapshot: Sendable, Equatable {
    public let id: UUID
    public let ticketID: UUID
    public let authorID: UUID
    public let body: String
    public let isPublic: Bool
    public let createdAt: Date
    /// Mail from a staff address that was not verified: its author is not treated as staff.
    public let unverifiedSender: Bool

    public init(id: UUID, ticketID: UUID, authorID: UUID, body: String, isPublic: Bool, createdAt: Date,
                unverifiedSender: Bool = false) {
        self.id = id
        self.ticketID = ticketID
        self.authorID = authorID
        self.body = body
        self.isPublic = isPublic
        self.createdAt = createdAt
        self.unverifiedSender = unverifiedSender
    }
}

/// Read access to tickets for services that react to their events. Local: a function call; remote: HTTP.
public protocol TicketDirectory: Sendable {
    /// The ticket, deleted or not; nil when it never existed in the workspace.
    func ticket(workspaceID: UUID, id: UUID) async throws -> TicketSnapshot?
    func comment(workspaceID: UUID, id: UUID) async throws -> CommentSnapshot?
}
