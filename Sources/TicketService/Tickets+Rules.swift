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
    /// Applies rules' changes as `TicketActions.apply` describes: one update for all of them, then their notes.
    public func apply(_ applications: [RuleApplication], ticketID: UUID, workspaceID: UUID) async throws -> (Ticket, [RuleRefusal]) {
        let changing = applications.filter(\.change.changesTicket)
        var refused: Set<UUID> = []
        var refusals: [RuleRefusal] = []
        var ticket: Ticket?
        if !changing.isEmpty {
            do {
                ticket = try await update(changing, ticketID: ticketID, workspaceID: workspaceID)
            } catch is HelpdeskError where changing.count > 1 {
                // Refused together: try each alone, so the refusal names its rule and the others still apply.
                for application in changing {
                    do {
                        ticket = try await update([application], ticketID: ticketID, workspaceID: workspaceID)
                    } catch let error as HelpdeskError {
                        refusals.append(RuleRefusal(ruleID: application.rule.id, error))
                        refused.insert(application.rule.id)
                    }
                }
            } catch let error as HelpdeskError {
                refusals.append(RuleRefusal(ruleID: changing[0].rule.id, error))
                refused.insert(changing[0].rule.id)
            }
        }
        var noted = false
        for application in applications where !refused.contains(application.rule.id) {
            let p = Principal.acting(for: application.rule, in: workspaceID)
            for note in application.change.notes {
                do {
                    // Its channel names the rule's kind, so the conversation shows who wrote it.
                    _ = try await addComment(p, reference: ticketID.lowercased, body: note, isPublic: false,
                                             origin: MessageOrigin(channel: application.rule.kind, address: nil, messageID: nil))
                    noted = true
                } catch let error as HelpdeskError {
                    refusals.append(RuleRefusal(ruleID: application.rule.id, error))
                    break
                }
            }
        }
        if noted || ticket == nil {
            ticket = try await get(.acting(for: applications.map(\.rule), in: workspaceID), reference: ticketID.lowercased)
        }
        return (ticket!, refusals)
    }

    /// The rules' field, tag and follower changes as one update recorded as theirs. Tags and followers are added to
    /// the ticket as it is read just before; a concurrent change (412) makes it read again.
    func update(_ applications: [RuleApplication], ticketID: UUID, workspaceID: UUID) async throws -> Ticket {
        let p = Principal.acting(for: applications.map(\.rule), in: workspaceID)
        var change = RuleChange()
        for application in applications { change.append(application.change) }
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
                return try await update(p, reference: current.id.lowercased, changes, ifMatch: current.etag)
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

    func apply(_ applications: [RuleApplication], ticketID: UUID, workspaceID: UUID) async throws -> RulesApplied {
        let (ticket, refusals) = try await tickets.apply(applications, ticketID: ticketID, workspaceID: workspaceID)
        return RulesApplied(ticket: ticket.ruleTicket, refusals: refusals)
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
