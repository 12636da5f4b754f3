import Foundation
import HelpdeskCore

/// A support request: the row the ticket's event stream projects to.
public struct Ticket: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID
    public var number: Int
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var type: TicketType?
    public var requesterID: UUID
    public var assigneeID: UUID?
    public var teamID: UUID?
    public var organizationID: UUID?
    public var tags: [String]
    /// Values of custom fields by key; absent keys have no value.
    public var customFields: [String: JSONValue] = [:]
    public var followerIDs: [UUID]
    public var createdAt: Date
    public var updatedAt: Date
    public var solvedAt: Date?
    public var version: Int
    /// How the ticket came in: `web`, `email` or `api`.
    public var channel: String = "api"
    /// The ticket this one was merged into (it is closed, and its conversation shows there).
    public var mergedIntoID: UUID? = nil
    /// The SLA snapshot the automations service last published (`sla.*` events); nil without one, and for customers.
    public var sla: JSONValue? = nil
    /// The earliest due time of the SLA's open targets (epoch ms), `Int64.max` when nothing is due: the key of
    /// `sort=sla_due`.
    var slaDueAt = Int64.max

    /// The ETag of this version, for `If-Match`.
    public var etag: String { "\"\(version)\"" }
}

extension Ticket: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, number, subject, status, priority, type, tags, version, channel
        case requesterID = "requester_id"
        case assigneeID = "assignee_id"
        case teamID = "team_id"
        case organizationID = "organization_id"
        case customFields = "custom_fields"
        case followerIDs = "follower_ids"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case solvedAt = "solved_at"
        case mergedIntoID = "merged_into_id"
        case sla
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(number, forKey: .number)
        try c.encode(subject, forKey: .subject)
        try c.encode(status, forKey: .status)
        try c.encode(priority, forKey: .priority)
        try c.encode(type, forKey: .type)
        try c.encode(requesterID.lowercased, forKey: .requesterID)
        try c.encode(assigneeID?.lowercased, forKey: .assigneeID)
        try c.encode(teamID?.lowercased, forKey: .teamID)
        try c.encode(organizationID?.lowercased, forKey: .organizationID)
        try c.encode(tags, forKey: .tags)
        try c.encode(customFields, forKey: .customFields)
        try c.encode(followerIDs.map(\.lowercased), forKey: .followerIDs)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(solvedAt, forKey: .solvedAt)
        try c.encode(version, forKey: .version)
        try c.encode(channel, forKey: .channel)
        try c.encode(mergedIntoID?.lowercased, forKey: .mergedIntoID)
        try c.encode(sla ?? .null, forKey: .sla)
    }
}

/// A public reply or an internal note. Immutable once written.
public struct Comment: Sendable, Equatable, Encodable {
    public var id: UUID
    public var ticketID: UUID
    public var authorID: UUID
    public var body: String
    public var isPublic: Bool
    public var createdAt: Date
    public var attachments: [AttachmentInfo] = []
    /// How the comment came in: `web`, `email` or `api`.
    public var channel: String = "api"
    /// For email: the sender's address and the message's `Message-ID`.
    public var sourceAddress: String?
    public var sourceMessageID: String?
    /// The history an email reply quoted, shown collapsed (nil when there was none).
    public var quotedText: String?
    /// Mail from a staff address the receiving MTA did not verify (see `MessageOrigin.unverifiedSender`).
    public var unverifiedSender = false

    enum CodingKeys: String, CodingKey {
        case id, body, attachments, channel, email
        case quotedText = "quoted_text"
        case unverifiedSender = "unverified_sender"
        case ticketID = "ticket_id"
        case authorID = "author_id"
        case isPublic = "public"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(ticketID.lowercased, forKey: .ticketID)
        try c.encode(authorID.lowercased, forKey: .authorID)
        try c.encode(body, forKey: .body)
        try c.encode(isPublic, forKey: .isPublic)
        try c.encode(attachments, forKey: .attachments)
        try c.encode(channel, forKey: .channel)
        if channel == "email" {
            try c.encode(["from": sourceAddress, "message_id": sourceMessageID], forKey: .email)
            try c.encode(quotedText, forKey: .quotedText)
            try c.encode(unverifiedSender, forKey: .unverifiedSender)
        }
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// One entry of a ticket's history, as `GET /tickets/{id}/events` returns it.
public struct TicketEvent: Sendable, Encodable {
    public let id: UUID
    public let type: String
    public let actor: EventActor
    public let subject: EventSubject
    public let occurredAt: Date
    public let data: JSONValue
    /// False for what customers must not see (internal notes, internal fields).
    let isPublic: Bool

    enum CodingKeys: String, CodingKey {
        case id, type, actor, subject, data
        case occurredAt = "occurred_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(actor, forKey: .actor)
        try c.encode(subject, forKey: .subject)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(data, forKey: .data)
    }
}

extension Ticket: JSONWritable {
    /// The same JSON as `encode(to:)` through `EventJSON.encoder()`, keys in sorted order.
    public func writeJSON(to out: inout JSONOutput) {
        out.beginObject()
        out.key("assignee_id"); out.uuid(assigneeID)
        out.key("channel"); out.string(channel)
        out.key("created_at"); out.date(createdAt)
        out.key("custom_fields"); JSONValue.object(customFields).writeJSON(to: &out)
        out.key("follower_ids")
        out.beginArray()
        for id in followerIDs { out.uuid(id) }
        out.endArray()
        out.key("id"); out.uuid(id)
        out.key("merged_into_id"); out.uuid(mergedIntoID)
        out.key("number"); out.int(number)
        out.key("organization_id"); out.uuid(organizationID)
        out.key("priority"); out.string(priority.rawValue)
        out.key("requester_id"); out.uuid(requesterID)
        out.key("sla"); (sla ?? .null).writeJSON(to: &out)
        out.key("solved_at"); out.date(solvedAt)
        out.key("status"); out.string(status.rawValue)
        out.key("subject"); out.string(subject)
        out.key("tags")
        out.beginArray()
        for tag in tags { out.string(tag) }
        out.endArray()
        out.key("team_id"); out.uuid(teamID)
        out.key("type"); out.string(type?.rawValue)
        out.key("updated_at"); out.date(updatedAt)
        out.key("version"); out.int(version)
        out.endObject()
    }
}
