import Foundation
import HelpdeskCore
import Logging
import Platform

/// Runs the workspace's triggers on every ticket event, as an event consumer: a trigger never slows or fails the
/// request that caused the event. Fired triggers write their changes through the tickets service (`TicketActions`),
/// together as one update recorded as "changed by triggers X, Y" (each note its own); a change the ticket refuses is
/// logged on its trigger and the others still apply. Events a trigger caused are not run again (its chain is complete in the cycle that fired it).
public struct TriggerRunner: Sendable {
    let database: Database
    let store: TriggerStore
    let runs: TriggerRunStore
    let schedules: ScheduleStore
    let tickets: any TicketActions
    let comments: any TicketDirectory
    let clock: TimeSource
    let logger: Logger
    let cache = TriggerCache()

    static let eventTypes: Set<String> = ["ticket.updated", "comment.added"]

    /// The event as triggers see it: its kind, or nil when triggers do not run on it. A ticket's creation is read
    /// from its description (`comment.added` with `initial`), a reply that reopened a ticket from its comment (the
    /// `ticket.updated` it caused names the comment), so each request runs the triggers once.
    static func kind(of event: EventEnvelope) -> TriggerContext.Kind? {
        guard event.subject.type == "ticket", event.actor.type != "trigger" else { return nil }
        switch event.type {
        case "comment.added":
            if event.data["automatic"] == .bool(true) { return nil }
            return event.data["initial"] == .bool(true) ? .created : .commentAdded
        case "ticket.updated":
            return event.data["comment_id"] == nil || event.data["comment_id"] == .null ? .updated : nil
        default: return nil
        }
    }

    public func handle(_ event: EventEnvelope) async throws {
        guard let kind = Self.kind(of: event) else { return }
        let ws = event.workspaceID
        let triggers = try await cache.triggers(workspaceID: ws, store: store, on: database.sql)
        if triggers.isEmpty { return }
        guard let ticket = try await tickets.ruleTicket(workspaceID: ws, id: event.subject.id) else { return }
        // The comment and the schedule are read only when a trigger looks at them: most events need neither.
        let fields = Set(triggers.flatMap { ($0.all + $0.any).map(\.field) })
        var comment: (body: String, isPublic: Bool)?
        if !fields.isDisjoint(with: ["comment", "comment_public"]),
           let id = event.data["comment_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
           let found = try await comments.comment(workspaceID: ws, id: id) {
            comment = (found.body, found.isPublic)
        }
        var within = true
        if fields.contains("business_hours"), let schedule = try await schedules.defaultSchedule(workspaceID: ws, on: database.sql) {
            within = BusinessCalendar(schedule.schedule).isOpen(at: event.occurredAt)
        }
        let context = TriggerContext(kind: kind, actorRole: Self.actorRole(of: event), ticket: Self.ticket(ticket),
                                     changes: Self.changes(in: event), comment: comment, withinBusinessHours: within)
        let result = TriggerCycle.run(triggers, on: context)
        var run = TriggerRun(id: UUIDv7.make(at: clock.now), ticketID: ticket.id, eventID: event.id, eventType: event.type,
                             kind: kind, ranAt: clock.now, entries: result.entries.map(TriggerRun.Entry.init),
                             stoppedTooDeep: result.stoppedTooDeep)
        // Claimed before writing: a redelivered event must not add a trigger's note twice.
        guard try await runs.claim(run, workspaceID: ws, on: database.sql) else { return }
        let recorded = run.entries
        let applications = Self.changesByTrigger(result).compactMap { id, change in
            run.entries.first { $0.triggerID == id }.map { RuleApplication(rule: RuleActor(kind: "trigger", id: id, name: $0.name), change: change) }
        }
        await Self.write(applications, ticketID: ticket.id, workspaceID: ws, into: &run, tickets: tickets, database: database,
                         store: store, logger: logger)
        if run.entries != recorded { try await runs.finish(run, workspaceID: ws, on: database.sql) }
        if result.stoppedTooDeep {
            let fired = run.entries.filter(\.fired).map { JSONValue.string($0.name) }
            try await Outbox.append([EventEnvelope(
                type: "trigger.chain_stopped", workspaceID: ws, actor: .system, subject: EventSubject(type: "ticket", id: ticket.id),
                occurredAt: clock.now,
                data: ["event_id": .string(event.id.lowercased), "fired": .array(fired), "limit": .number(Double(TriggerCycle.maximumChain))],
                context: nil)], on: database.sql)
        }
    }

    /// Writes the rules' changes through the tickets service and notes on each rule's entry of `run` why its change
    /// was refused or could not be written; a refusal naming something gone (a team, a user, a field) marks the rule
    /// broken. Shared by triggers and the automation pass.
    static func write(_ applications: [RuleApplication], ticketID: UUID, workspaceID ws: UUID, into run: inout TriggerRun,
                      tickets: any TicketActions, database: Database, store: TriggerStore, logger: Logger) async {
        guard !applications.isEmpty else { return }
        func entry(_ id: UUID) -> Int? { run.entries.firstIndex { $0.triggerID == id } }
        do {
            let applied = try await tickets.apply(applications, ticketID: ticketID, workspaceID: ws)
            for refusal in applied.refusals {
                guard let i = entry(refusal.ruleID) else { continue }
                run.entries[i].error = describe(refusal.error)
                if let reason = brokenReference(refusal.error) {
                    try? await database.transaction { db in
                        try await store.markBroken(workspaceID: ws, id: refusal.ruleID, because: reason, on: db)
                    }
                }
            }
        } catch {
            logger.error("rules could not write their changes", metadata: ["ticket": "\(ticketID.lowercased)", "error": "\(error)"])
            let reason = (error as? HelpdeskError).map(describe) ?? "could not be written: the tickets service did not answer"
            for application in applications { if let i = entry(application.rule.id) { run.entries[i].error = reason } }
        }
    }

    /// A comment's author as the ticket saw them (unverified staff mail is a customer's); else who made the change.
    static func actorRole(of event: EventEnvelope) -> String {
        event.data["author_role"]?.stringValue ?? event.data["actor_role"]?.stringValue ?? "system"
    }

    static func ticket(_ t: RuleTicket) -> TriggerTicket {
        TriggerTicket(subject: t.subject, status: t.status, priority: t.priority, type: t.type, assigneeID: t.assigneeID,
                      teamID: t.teamID, organizationID: t.organizationID, requesterID: t.requesterID, tags: t.tags,
                      channel: t.channel, customFields: t.customFields)
    }

    static func changes(in event: EventEnvelope) -> [String: (from: JSONValue, to: JSONValue)] {
        guard case .object(let changes)? = event.data["changes"] else { return [:] }
        var out: [String: (from: JSONValue, to: JSONValue)] = [:]
        for (field, change) in changes { out[field] = (change["from"] ?? .null, change["to"] ?? .null) }
        return out
    }

    /// The fired triggers' actions as one change each, in firing order.
    static func changesByTrigger(_ result: TriggerCycleResult) -> [(UUID, RuleChange)] {
        var order: [UUID] = []
        var changes: [UUID: RuleChange] = [:]
        for (id, action) in result.actions {
            if changes[id] == nil { order.append(id); changes[id] = RuleChange() }
            action.add(to: &changes[id]!)
        }
        return order.map { ($0, changes[$0]!) }.filter { !$0.1.isEmpty }
    }

    static func describe(_ error: HelpdeskError) -> String {
        let fields = error.errors.map { "\($0.field) \($0.message)" }
        return fields.isEmpty ? (error.detail ?? error.title) : fields.joined(separator: "; ")
    }

    /// A refusal naming a team, a user or a field that does not exist means the trigger itself is broken.
    static func brokenReference(_ error: HelpdeskError) -> String? {
        guard error.status == 422 else { return nil }
        let refs = error.errors.filter { e in
            ["team_id", "assignee_id"].contains(e.field) || e.field.hasPrefix("follower_ids")
                || (e.field.hasPrefix("custom_fields") && e.message.contains("is not an active ticket field"))
        }
        return refs.isEmpty ? nil : refs.map { "actions: \($0.field) \($0.message)" }.joined(separator: "; ")
    }
}

extension TriggerAction {
    /// Adds this action to the change its trigger sends to the tickets service.
    func add(to change: inout RuleChange) {
        switch self {
        case .set(let field, let value):
            if field.hasPrefix("custom_fields.") {
                var custom: [String: JSONValue] = [:]
                if case .object(let o)? = change.fields["custom_fields"] { custom = o }
                custom[String(field.dropFirst(14))] = value
                change.fields["custom_fields"] = .object(custom)
            } else {
                change.fields[field] = value
            }
        case .addTags(let tags): change.addTags += tags; change.removeTags.removeAll { tags.contains($0) }
        case .removeTags(let tags): change.removeTags += tags; change.addTags.removeAll { tags.contains($0) }
        case .addFollower(let id): change.addFollowers.append(id)
        case .internalNote(let body): change.notes.append(body)
        }
    }
}
