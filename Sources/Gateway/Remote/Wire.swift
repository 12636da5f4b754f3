import Foundation
import HelpdeskCore

/// The shapes values take between services. Plain Codable mirrors of HelpdeskCore's types, so the public JSON of
/// those types (which leaves out what clients need not see) never constrains the internal one.
enum Wire {
    struct User: Codable, Sendable {
        let id: UUID, workspaceID: UUID, email: String, name: String, role: Role, organizationID: UUID?
        let locale: String, timeZone: String, active: Bool, createdAt: Date, updatedAt: Date

        init(_ u: DirectoryUser) {
            id = u.id; workspaceID = u.workspaceID; email = u.email; name = u.name; role = u.role
            organizationID = u.organizationID; locale = u.locale; timeZone = u.timeZone; active = u.active
            createdAt = u.createdAt; updatedAt = u.updatedAt
        }

        var value: DirectoryUser {
            DirectoryUser(id: id, workspaceID: workspaceID, email: email, name: name, role: role, organizationID: organizationID,
                          locale: locale, timeZone: timeZone, active: active, createdAt: createdAt, updatedAt: updatedAt)
        }
    }

    struct Organization: Codable, Sendable {
        let id: UUID, name: String, sharedTickets: Bool
        init(_ o: DirectoryOrganization) { id = o.id; name = o.name; sharedTickets = o.sharedTickets }
        var value: DirectoryOrganization { DirectoryOrganization(id: id, name: name, sharedTickets: sharedTickets) }
    }

    struct Ticket: Codable, Sendable {
        let id: UUID, workspaceID: UUID, number: Int, subject: String, status: String, priority: String
        let requesterID: UUID, assigneeID: UUID?, teamID: UUID?, followerIDs: [UUID], createdAt: Date

        init(_ t: TicketSnapshot) {
            id = t.id; workspaceID = t.workspaceID; number = t.number; subject = t.subject; status = t.status
            priority = t.priority; requesterID = t.requesterID; assigneeID = t.assigneeID; teamID = t.teamID
            followerIDs = t.followerIDs; createdAt = t.createdAt
        }

        var value: TicketSnapshot {
            TicketSnapshot(id: id, workspaceID: workspaceID, number: number, subject: subject, status: status, priority: priority,
                           requesterID: requesterID, assigneeID: assigneeID, teamID: teamID, followerIDs: followerIDs,
                           createdAt: createdAt)
        }
    }

    struct Comment: Codable, Sendable {
        let id: UUID, ticketID: UUID, authorID: UUID, body: String, isPublic: Bool, createdAt: Date, unverifiedSender: Bool?
        init(_ c: CommentSnapshot) {
            id = c.id; ticketID = c.ticketID; authorID = c.authorID; body = c.body; isPublic = c.isPublic; createdAt = c.createdAt
            unverifiedSender = c.unverifiedSender
        }
        var value: CommentSnapshot {
            CommentSnapshot(id: id, ticketID: ticketID, authorID: authorID, body: body, isPublic: isPublic, createdAt: createdAt,
                            unverifiedSender: unverifiedSender ?? false)
        }
    }

    struct Attachment: Codable, Sendable {
        let id: UUID, filename: String, contentType: String, size: Int64, sha256: String, createdAt: Date
        init(_ a: AttachmentInfo) {
            id = a.id; filename = a.filename; contentType = a.contentType; size = a.size; sha256 = a.sha256; createdAt = a.createdAt
        }
        var value: AttachmentInfo {
            AttachmentInfo(id: id, filename: filename, contentType: contentType, size: size, sha256: sha256, createdAt: createdAt)
        }
    }

    struct Caller: Codable, Sendable {
        let userID: UUID, workspaceID: UUID, role: Role, sessionID: UUID
        init(_ p: Principal) { userID = p.userID; workspaceID = p.workspaceID; role = p.role; sessionID = p.sessionID }
        var value: Principal { Principal(userID: userID, workspaceID: workspaceID, role: role, sessionID: sessionID) }
    }

    struct Origin: Codable, Sendable {
        let channel: String, address: String?, messageID: String?, quotedText: String?, unverifiedSender: Bool?
        init(_ o: MessageOrigin) {
            channel = o.channel; address = o.address; messageID = o.messageID; quotedText = o.quotedText
            unverifiedSender = o.unverifiedSender
        }
        var value: MessageOrigin {
            MessageOrigin(channel: channel, address: address, messageID: messageID, quotedText: quotedText,
                          unverifiedSender: unverifiedSender ?? false)
        }
    }

    struct Nothing: Codable, Sendable {}
}
