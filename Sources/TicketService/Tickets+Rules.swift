import Foundation
import HelpdeskCore
import Platform

extension TicketChanges {
    /// The changes a `PATCH /tickets/{id}` body asks for (also a rule's fields, so both are read the same way).
    static func parse(_ body: inout JSONBody) -> TicketChanges {
        TicketChanges(
            subject: body.string("subject"), status: body.string("status"), priority: body.string("priority"),
            type: body.updateString("type", nullable: true), assigneeID: body.updateUUID("assignee_id"),
            teamID: body.updateUUID("team_id"), tags: body.stringArray("tags"), customFields: body.object("custom_fields"),
            followerIDs: TicketRoutes.uuids(&body, "follower_ids"))
    }

    static let patchFields: Set<String> = ["subject", "status", "priority", "type", "assignee_id", "team_id", "tags",
                                           "custom_fields", "follower_ids"]
}

extension Tickets {
    /// Applies a rule's change through `update` and `addComment`, as an admin would, recorded as the rule's. Tags and
    /// followers are added to the ticket as it is read just before; a concurrent change (412) makes it read again.
    public func apply(_ change: RuleChange, ticketID: UUID, workspaceID: UUID, by rule: RuleActor) async throws -> Ticket {
        let p = Principal.acting(for: rule, in: workspaceID)
        var body = JSONBody(object: change.fields)
        let base = TicketChanges.parse(&body)
        try body.validate(allowed: TicketChanges.patchFields)
        var attempt = 0
        while true {
            attempt += 1
            let current = try await get(p, reference: ticketID.lowercased)
            var changes = base
            if !change.addTags.isEmpty || !change.removeTags.isEmpty {
                var tags = changes.tags ?? current.tags
                for tag in change.addTags where !tags.contains(tag) { tags.append(tag) }
                tags.removeAll { change.removeTags.contains($0) }
                changes.tags = tags
            }
            if !change.addFollowers.isEmpty {
                var followers = changes.followerIDs ?? current.followerIDs
                for id in change.addFollowers where !followers.contains(id) { followers.append(id) }
                changes.followerIDs = followers
            }
            do {
                var ticket = try await update(p, reference: current.id.lowercased, changes, ifMatch: current.etag)
                for note in change.notes {
                    // Its channel names the rule's kind, so the conversation shows who wrote it.
                    _ = try await addComment(p, reference: current.id.lowercased, body: note, isPublic: false,
                                             origin: MessageOrigin(channel: rule.kind, address: nil, messageID: nil))
                }
                if !change.notes.isEmpty { ticket = try await get(p, reference: current.id.lowercased) }
                return ticket
            } catch let error as HelpdeskError where error.code == "version_conflict" && attempt < 5 {
                continue
            }
        }
    }
}

/// `TicketActions` as a direct call into this process's tickets service (for automations).
struct LocalTicketActions: TicketActions {
    let tickets: Tickets

    func ruleTicket(workspaceID: UUID, id: UUID) async throws -> RuleTicket? {
        try await tickets.store.ticket(workspaceID: workspaceID, reference: id.lowercased, on: tickets.database.sql)?.ruleTicket
    }

    func apply(_ change: RuleChange, ticketID: UUID, workspaceID: UUID, by rule: RuleActor) async throws -> RuleTicket {
        try await tickets.apply(change, ticketID: ticketID, workspaceID: workspaceID, by: rule).ruleTicket
    }
}

extension TicketServiceModule {
    /// The in-process `TicketActions` the automations service uses.
    public var actions: any TicketActions { LocalTicketActions(tickets: tickets) }
}

extension Ticket {
    var ruleTicket: RuleTicket {
        RuleTicket(id: id, number: number, subject: subject, status: status.rawValue, priority: priority.rawValue,
                   type: type?.rawValue, requesterID: requesterID, assigneeID: assigneeID, teamID: teamID,
                   organizationID: organizationID, tags: tags, followerIDs: followerIDs, channel: channel,
                   customFields: customFields, version: version)
    }
}
