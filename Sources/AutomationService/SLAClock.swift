import Foundation

/// What happened to a ticket that SLA clocks care about, in order.
public struct SLATimeline: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// A public message after the description; `byStaff` false for the requester or another customer.
        case publicReply(at: Date, byStaff: Bool)
        /// The ticket's status became `to` (`new`, `open`, `pending`, `on_hold`, `solved`, `closed`).
        case status(at: Date, to: String)

        var at: Date {
            switch self {
            case .publicReply(let at, _), .status(let at, _): at
            }
        }
    }

    public var createdAt: Date
    public var events: [Event]

    public init(createdAt: Date, events: [Event]) {
        self.createdAt = createdAt
        self.events = events.sorted { $0.at < $1.at }
    }
}

/// One metric's state on a ticket, as `sla.targets[]` shows it.
public struct SLATarget: Sendable, Equatable {
    public let metric: SLAMetric
    /// Nil while the clock is paused (the due time moves with the pause).
    public let dueAt: Date?
    public let achievedAt: Date?
    /// The due time, once it passed without the metric achieved (also when achieved late).
    public let breachedAt: Date?
    public let paused: Bool
    /// From when the target counts as at risk (and `sla.warning` fires): a quarter of its length before the due
    /// time, at most an hour before, in wall-clock time.
    public let atRiskAt: Date?

    public init(metric: SLAMetric, dueAt: Date?, achievedAt: Date?, breachedAt: Date?, paused: Bool, atRiskAt: Date? = nil) {
        self.metric = metric
        self.dueAt = dueAt
        self.achievedAt = achievedAt
        self.breachedAt = breachedAt
        self.paused = paused
        self.atRiskAt = atRiskAt
    }

    /// The longest warning before a due time.
    public static let maximumWarning: TimeInterval = 3_600

    /// Whether, at `now`, the target is still open and its due time has passed.
    public func isBreached(at now: Date) -> Bool {
        guard achievedAt == nil, !paused, let dueAt else { return false }
        return dueAt <= now
    }

    /// Whether, at `now`, the target is still open and close to its due time.
    public func isAtRisk(at now: Date) -> Bool {
        guard achievedAt == nil, !paused, let dueAt, let atRiskAt else { return false }
        return atRiskAt <= now && now < dueAt
    }

    /// As of `now`: an open target whose due time passed since it was stored is breached.
    public func asOf(_ now: Date) -> SLATarget {
        guard breachedAt == nil, isBreached(at: now), let dueAt else { return self }
        return SLATarget(metric: metric, dueAt: dueAt, achievedAt: nil, breachedAt: dueAt, paused: false, atRiskAt: atRiskAt)
    }
}

/// Computes a ticket's SLA targets from its policy, priority and timeline, as of `now`. Pure: the scheduler stores
/// the due times it gives and fires breaches from them; any replica computes the same.
public struct SLAClock: Sendable {
    /// Business time (the ticket's schedule) or wall-clock time (a calendar open all week).
    public let calendar: BusinessCalendar

    public init(calendar: BusinessCalendar) {
        self.calendar = calendar
    }

    /// Wall-clock hours: open every minute of every day.
    public static let allHours = BusinessCalendar(try! BusinessSchedule(
        timeZone: "UTC", intervals: (1...7).map { .init(weekday: $0, start: 0, end: 1440) }))

    public func targets(policy: SLAPolicy, priority: String, timeline: SLATimeline, now: Date) -> [SLATarget] {
        guard let goals = policy.targets[priority] else { return [] }
        return goals.keys.sorted().compactMap { metric in
            let minutes = goals[metric]!
            let target: SLATarget? = switch metric {
            case .firstReply: firstReply(minutes, timeline, now)
            case .nextReply: nextReply(minutes, timeline, now)
            case .periodicUpdate: periodicUpdate(minutes, timeline, now)
            case .resolution: resolution(minutes, timeline, pauses: policy.pausesResolution, now)
            }
            return target.map { t in
                let lead = min(SLATarget.maximumWarning, TimeInterval(minutes) * 15)
                return SLATarget(metric: t.metric, dueAt: t.dueAt, achievedAt: t.achievedAt, breachedAt: t.breachedAt,
                                 paused: t.paused, atRiskAt: t.dueAt?.addingTimeInterval(-lead))
            }
        }
    }

    func target(_ metric: SLAMetric, due: Date?, achieved: Date?, now: Date, paused: Bool = false) -> SLATarget {
        let breached = due.flatMap { due in (achieved ?? now) > due ? due : nil }
        return SLATarget(metric: metric, dueAt: due, achievedAt: achieved, breachedAt: breached, paused: paused)
    }

    /// Solved or closed at `date`? Reply clocks stop there (a ticket solved without a reply has nothing left due).
    func isDone(_ timeline: SLATimeline, at date: Date) -> Bool {
        var done = false
        for case .status(let at, let to) in timeline.events where at <= date { done = to == "solved" || to == "closed" }
        return done
    }

    func firstReply(_ minutes: Int, _ t: SLATimeline, _ now: Date) -> SLATarget? {
        let due = calendar.adding(minutes: minutes, to: t.createdAt)
        let reply = t.events.first { if case .publicReply(_, true) = $0 { true } else { false } }?.at
        if reply == nil, isDone(t, at: now) { return nil }
        return target(.firstReply, due: due, achieved: reply, now: now)
    }

    /// The latest cycle: a customer message waiting since the first unanswered one after staff's first reply.
    func nextReply(_ minutes: Int, _ t: SLATimeline, _ now: Date) -> SLATarget? {
        var repliedOnce = false
        var waitingSince: Date?
        var last: (start: Date, answered: Date)?
        for event in t.events {
            guard case .publicReply(let at, let byStaff) = event else { continue }
            if byStaff {
                if let start = waitingSince { last = (start, at) }
                waitingSince = nil
                repliedOnce = true
            } else if repliedOnce, waitingSince == nil {
                waitingSince = at
            }
        }
        if let start = waitingSince, !isDone(t, at: now) {
            return target(.nextReply, due: calendar.adding(minutes: minutes, to: start), achieved: nil, now: now)
        }
        guard let last else { return nil }
        return target(.nextReply, due: calendar.adding(minutes: minutes, to: last.start), achieved: last.answered, now: now)
    }

    /// Rolling: due `minutes` after staff's last public reply, until the ticket is solved.
    func periodicUpdate(_ minutes: Int, _ t: SLATimeline, _ now: Date) -> SLATarget? {
        let replies = t.events.compactMap { if case .publicReply(let at, true) = $0 { at } else { nil } }
        guard let last = replies.last, !isDone(t, at: now) else { return nil }
        return target(.periodicUpdate, due: calendar.adding(minutes: minutes, to: last), achieved: nil, now: now)
    }

    /// From creation to solved, counting only the time the ticket was active (not pending or on hold when the
    /// policy pauses); reopening carries on from where it stopped.
    func resolution(_ minutes: Int, _ t: SLATimeline, pauses: Bool, _ now: Date) -> SLATarget {
        var spans: [(start: Date, end: Date)] = []
        var activeSince: Date? = t.createdAt
        var solvedAt: Date?
        for case .status(let at, let to) in t.events where at <= now {
            let done = to == "solved" || to == "closed"
            if done || (pauses && (to == "pending" || to == "on_hold")) {
                if let start = activeSince { spans.append((start, at)) }
                activeSince = nil
                solvedAt = done ? (solvedAt ?? at) : nil
            } else {
                if activeSince == nil { activeSince = at }
                solvedAt = nil
            }
        }
        var left = Int64(minutes) * 60
        for span in spans {
            let available = calendar.seconds(from: span.start, to: span.end)
            if available >= left {
                return target(.resolution, due: calendar.adding(seconds: left, to: span.start), achieved: solvedAt, now: now)
            }
            left -= available
        }
        if let start = activeSince {
            return target(.resolution, due: calendar.adding(seconds: left, to: start), achieved: nil, now: now)
        }
        if let solvedAt {
            // Solved in time: where the clock would have run out, had it gone on.
            return target(.resolution, due: calendar.adding(seconds: left, to: solvedAt), achieved: solvedAt, now: now)
        }
        return target(.resolution, due: nil, achieved: nil, now: now, paused: true)
    }
}
