import Foundation
import HelpdeskCore

/// A ticket as a time-based automation sees it on a pass: its state and the hours since each time that applies.
struct TimedTicket: Sendable {
    let state: SLATicketState

    /// The stored anchors the pass narrows its scan by (milliseconds; see `AutomationScan`).
    struct Anchors {
        let live: Bool
        let createdAt, touchedAt, statusAt, assignedAt, requesterRepliedAt, agentRepliedAt: Int64?
    }

    var anchors: Anchors {
        Anchors(live: !state.ended && state.status != "closed", createdAt: state.timeline.createdAt.epochMilliseconds,
                touchedAt: updatedAt.epochMilliseconds, statusAt: statusAt?.epochMilliseconds,
                assignedAt: state.assigneeID == nil ? nil : state.assignedAt?.epochMilliseconds,
                requesterRepliedAt: requesterRepliedAt.epochMilliseconds, agentRepliedAt: agentRepliedAt?.epochMilliseconds)
    }

    var updatedAt: Date { state.touchedAt ?? state.timeline.events.map(\.at).max() ?? state.timeline.createdAt }
    var statusAt: Date? { state.timeline.events.last { if case .status = $0 { true } else { false } }?.at }
    /// The requester's last public message; the description counts as the first.
    var requesterRepliedAt: Date {
        state.timeline.events.last { if case .publicReply(_, false) = $0 { true } else { false } }?.at ?? state.timeline.createdAt
    }
    var agentRepliedAt: Date? { state.timeline.events.last { if case .publicReply(_, true) = $0 { true } else { false } }?.at }

    /// Hours since each anchor that applies now: `solved`, `pending` and `on_hold` only in that status, `assigned`
    /// only with an assignee, `agent_replied` only after a reply.
    func hoursSince(at now: Date) -> [String: Double] {
        func hours(_ d: Date?) -> Double? { d.map { max(0, now.timeIntervalSince($0) / 3_600) } }
        var out: [String: Double] = [:]
        out["created"] = hours(state.timeline.createdAt)
        out["updated"] = hours(updatedAt)
        if ["solved", "pending", "on_hold"].contains(state.status) { out[state.status] = hours(statusAt ?? state.timeline.createdAt) }
        if state.assigneeID != nil { out["assigned"] = hours(state.assignedAt ?? state.timeline.createdAt) }
        out["requester_replied"] = hours(requesterRepliedAt)
        out["agent_replied"] = hours(agentRepliedAt)
        return out
    }

    func context(at now: Date, sla: String) -> TriggerContext {
        let f = state.facts
        var c = TriggerContext(kind: .timed, actorRole: "system", ticket: TriggerTicket(
            subject: state.subject, status: state.status, priority: f.priority, type: f.type, assigneeID: state.assigneeID,
            teamID: f.teamID, organizationID: f.organizationID, requesterID: state.requesterID, tags: f.tags, channel: f.channel,
            customFields: f.customFields))
        c.hoursSince = hoursSince(at: now)
        c.sla = sla
        return c
    }
}
