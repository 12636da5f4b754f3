import AuthService
import Foundation
import HelpdeskCore

/// The client protocols of HelpdeskCore over HTTP, for a process that does not serve the owning service. Each
/// call's name and arguments mirror `InternalServices` on the owning side.
enum Remote {
    struct WorkspaceID: Codable, Sendable { let workspaceID: UUID }
    struct ByID: Codable, Sendable { let workspaceID: UUID; let id: UUID }
    struct ByEmail: Codable, Sendable { let workspaceID: UUID; let email: String }
    struct NewCustomer: Codable, Sendable { let workspaceID: UUID; let email: String; let name: String }
    struct FirstAdmin: Codable, Sendable { let workspaceID: UUID; let email: String; let name: String; let password: String }
    struct SetPassword: Codable, Sendable { let workspaceID: UUID; let userID: UUID; let password: String; let actor: EventActor }
    struct Attach: Codable, Sendable {
        let workspaceID: UUID; let fileIDs: [UUID]; let uploaderID: UUID; let ticketID: UUID; let commentID: UUID; let isPublic: Bool
    }
    struct CanSee: Codable, Sendable { let caller: Wire.Caller; let ticketID: UUID; let isPublic: Bool }
    struct Open: Codable, Sendable {
        let caller: Wire.Caller; let subject: String; let description: String; let teamID: UUID?; let attachmentIDs: [UUID]
        let origin: Wire.Origin
    }
    struct Opened: Codable, Sendable { let ticketID: UUID; let commentID: UUID }
    struct Reply: Codable, Sendable {
        let caller: Wire.Caller; let ticketID: UUID; let body: String; let attachmentIDs: [UUID]; let origin: Wire.Origin
    }
    struct ByNumber: Codable, Sendable { let workspaceID: UUID; let number: Int }
    struct Follow: Codable, Sendable { let caller: Wire.Caller; let ticketID: UUID }
    struct Store: Codable, Sendable { let caller: Wire.Caller; let filename: String; let bytes: Data }
    struct Address: Codable, Sendable { let name: String?; let address: String }
    struct RuleApply: Codable, Sendable { let workspaceID: UUID; let ticketID: UUID; let applications: [RuleApplication] }

    struct UserDirectoryClient: UserDirectory {
        let client: InternalClient

        func user(workspaceID: UUID, email: String) async throws -> DirectoryUser? {
            try await client.call("user-by-email", ByEmail(workspaceID: workspaceID, email: email), returning: Wire.User?.self,
                                  idempotent: true)?.value
        }
        func user(workspaceID: UUID, id: UUID) async throws -> DirectoryUser? {
            try await client.call("user", ByID(workspaceID: workspaceID, id: id), returning: Wire.User?.self, idempotent: true)?.value
        }
        func registerCustomer(workspaceID: UUID, email: String, name: String) async throws -> DirectoryUser {
            try await client.call("register-customer", NewCustomer(workspaceID: workspaceID, email: email, name: name),
                                  returning: Wire.User.self, idempotent: false).value
        }
        func hasAdmin(workspaceID: UUID) async throws -> Bool {
            try await client.call("has-admin", WorkspaceID(workspaceID: workspaceID), returning: Bool.self, idempotent: true)
        }
        func createFirstAdmin(workspaceID: UUID, email: String, name: String, password: String) async throws -> DirectoryUser {
            try await client.call("create-first-admin", FirstAdmin(workspaceID: workspaceID, email: email, name: name, password: password),
                                  returning: Wire.User.self, idempotent: false).value
        }
        func discardRegistration(workspaceID: UUID, id: UUID) async throws {
            _ = try await client.call("discard-registration", ByID(workspaceID: workspaceID, id: id), returning: Wire.Nothing.self,
                                      idempotent: true)
        }
        func organization(workspaceID: UUID, id: UUID) async throws -> DirectoryOrganization? {
            try await client.call("organization", ByID(workspaceID: workspaceID, id: id), returning: Wire.Organization?.self,
                                  idempotent: true)?.value
        }
        func teamExists(workspaceID: UUID, id: UUID) async throws -> Bool {
            try await client.call("team-exists", ByID(workspaceID: workspaceID, id: id), returning: Bool.self, idempotent: true)
        }
        func teamMemberIDs(workspaceID: UUID, teamID: UUID) async throws -> [UUID] {
            try await client.call("team-members", ByID(workspaceID: workspaceID, id: teamID), returning: [UUID].self, idempotent: true)
        }
    }

    struct CredentialRegistryClient: CredentialRegistry {
        let client: InternalClient

        /// The policy is plain logic: checked here, without a round trip.
        func checkPolicy(password: String, email: String) throws {
            try PasswordPolicy.check(password: password, email: email)
        }
        func setPassword(workspaceID: UUID, userID: UUID, password: String, actor: EventActor) async throws {
            _ = try await client.call("set-password", SetPassword(workspaceID: workspaceID, userID: userID, password: password, actor: actor),
                                      returning: Wire.Nothing.self, idempotent: true)
        }
    }

    struct AttachmentRegistryClient: AttachmentRegistry {
        let client: InternalClient

        func attach(workspaceID: UUID, fileIDs: [UUID], uploaderID: UUID, ticketID: UUID, commentID: UUID,
                    isPublic: Bool) async throws -> [AttachmentInfo] {
            try await client.call("attach", Attach(workspaceID: workspaceID, fileIDs: fileIDs, uploaderID: uploaderID, ticketID: ticketID,
                                                   commentID: commentID, isPublic: isPublic),
                                  returning: [Wire.Attachment].self, idempotent: false).map(\.value)
        }
        func detach(workspaceID: UUID, commentID: UUID) async throws {
            _ = try await client.call("detach", ByID(workspaceID: workspaceID, id: commentID), returning: Wire.Nothing.self, idempotent: true)
        }
    }

    struct TicketAccessClient: TicketAccess {
        let client: InternalClient

        func canSeeComment(_ principal: Principal, ticketID: UUID, isPublic: Bool) async throws -> Bool {
            try await client.call("can-see-comment", CanSee(caller: Wire.Caller(principal), ticketID: ticketID, isPublic: isPublic),
                                  returning: Bool.self, idempotent: true)
        }
    }

    struct TicketDirectoryClient: TicketDirectory {
        let client: InternalClient

        func ticket(workspaceID: UUID, id: UUID) async throws -> TicketSnapshot? {
            try await client.call("ticket", ByID(workspaceID: workspaceID, id: id), returning: Wire.Ticket?.self, idempotent: true)?.value
        }
        func comment(workspaceID: UUID, id: UUID) async throws -> CommentSnapshot? {
            try await client.call("comment", ByID(workspaceID: workspaceID, id: id), returning: Wire.Comment?.self, idempotent: true)?.value
        }
    }

    struct TicketIntakeClient: TicketIntake {
        let client: InternalClient

        func openTicket(as p: Principal, subject: String, description: String, teamID: UUID?, attachmentIDs: [UUID],
                        origin: MessageOrigin) async throws -> (ticketID: UUID, commentID: UUID) {
            let opened = try await client.call("open-ticket", Open(caller: Wire.Caller(p), subject: subject, description: description,
                                                                   teamID: teamID, attachmentIDs: attachmentIDs, origin: Wire.Origin(origin)),
                                               returning: Opened.self, idempotent: false)
            return (opened.ticketID, opened.commentID)
        }
        func reply(as p: Principal, ticketID: UUID, body: String, attachmentIDs: [UUID], origin: MessageOrigin) async throws -> UUID {
            try await client.call("reply", Reply(caller: Wire.Caller(p), ticketID: ticketID, body: body, attachmentIDs: attachmentIDs,
                                                 origin: Wire.Origin(origin)), returning: UUID.self, idempotent: false)
        }
        func ticket(workspaceID: UUID, number: Int) async throws -> TicketSnapshot? {
            try await client.call("ticket-by-number", ByNumber(workspaceID: workspaceID, number: number), returning: Wire.Ticket?.self,
                                  idempotent: true)?.value
        }
        func follow(as p: Principal, ticketID: UUID) async throws {
            _ = try await client.call("follow", Follow(caller: Wire.Caller(p), ticketID: ticketID), returning: Wire.Nothing.self,
                                      idempotent: true)
        }
    }

    struct TicketActionsClient: TicketActions {
        let client: InternalClient

        func ruleTicket(workspaceID: UUID, id: UUID) async throws -> RuleTicket? {
            try await client.call("rule-ticket", ByID(workspaceID: workspaceID, id: id), returning: RuleTicket?.self, idempotent: true)
        }
        func apply(_ applications: [RuleApplication], ticketID: UUID, workspaceID: UUID) async throws -> RulesApplied {
            // Not retried on another replica: a note could be added twice.
            try await client.call("rule-apply", RuleApply(workspaceID: workspaceID, ticketID: ticketID, applications: applications),
                                  returning: RulesApplied.self, idempotent: false)
        }
    }

    struct FileIntakeClient: FileIntake {
        let client: InternalClient

        func store(as p: Principal, filename: String, bytes: [UInt8]) async throws -> UUID {
            try await client.call("store", Store(caller: Wire.Caller(p), filename: filename, bytes: Data(bytes)), returning: UUID.self,
                                  idempotent: false)
        }
    }

    struct ReplyAddressesClient: ReplyAddresses {
        let client: InternalClient

        func replyAddress(workspaceID: UUID, ticketID: UUID) async throws -> (name: String?, address: String)? {
            try await client.call("reply-address", ByID(workspaceID: workspaceID, id: ticketID), returning: Address?.self,
                                  idempotent: true).map { ($0.name, $0.address) }
        }
    }
}
