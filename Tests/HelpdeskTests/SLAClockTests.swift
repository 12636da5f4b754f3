import AutomationService
import Foundation
import HelpdeskCore
import Testing

@Suite("SLA policies and clocks")
struct SLAClockTests {
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
    static let paris = BusinessCalendar(try! BusinessSchedule(timeZone: "Europe/Paris", intervals: (1...5).map {
        .init(weekday: $0, start: 540, end: 1020)
    }))

    func policy(_ targets: [String: [SLAMetric: Int]], business: Bool = true, pauses: Bool = true,
                conditions: [SLACondition] = [], position: Int = 0) -> SLAPolicy {
        SLAPolicy(id: UUID(), name: "p\(position)", conditions: conditions, targets: targets, businessHours: business,
                  pausesResolution: pauses, position: position)
    }

    @Test("the first policy whose conditions all hold applies; conditions are checked when made")
    func matching() throws {
        let vip = policy(["urgent": [.firstReply: 30]], conditions: [
            try SLACondition(field: "priority", op: .is, value: "urgent"), try SLACondition(field: "tag", op: .includes, value: "vip"),
        ], position: 1)
        let plan = policy(["urgent": [.firstReply: 45]], conditions: [try SLACondition(field: "custom_fields.plan", op: .is, value: "gold")], position: 2)
        let fallback = policy(["urgent": [.firstReply: 60]], position: 3)
        let all = [fallback, plan, vip]
        #expect(SLAPolicy.first(all, matching: SLATicketFacts(priority: "urgent", tags: ["vip"]))?.id == vip.id)
        #expect(SLAPolicy.first(all, matching: SLATicketFacts(priority: "urgent", customFields: ["plan": .string("gold")]))?.id == plan.id)
        #expect(SLAPolicy.first(all, matching: SLATicketFacts(priority: "high", tags: ["vip"]))?.id == fallback.id)
        #expect(SLAPolicy.first([vip], matching: SLATicketFacts(priority: "low")) == nil)
        let team = UUID()
        #expect(try SLACondition(field: "team_id", op: .isNot, value: team.lowercased).holds(for: SLATicketFacts(priority: "low")))
        #expect(throws: HelpdeskError.self) { try SLACondition(field: "tag", op: .is, value: "vip") }
        #expect(throws: HelpdeskError.self) { try SLACondition(field: "priority", op: .includes, value: "urgent") }
        #expect(throws: HelpdeskError.self) { try SLACondition(field: "mood", op: .is, value: "happy") }
    }

    @Test("first reply: a ticket opened Friday 16:30 with one business hour is due Monday 09:30; achieved or breached")
    func firstReply() {
        let clock = SLAClock(calendar: Self.paris)
        let p = policy(["urgent": [.firstReply: 60]])
        let created = Self.date("2026-12-04T15:30:00Z")
        let waiting = clock.targets(policy: p, priority: "urgent", timeline: SLATimeline(createdAt: created, events: []),
                                    now: Self.date("2026-12-07T08:00:00Z"))
        #expect(waiting == [SLATarget(metric: .firstReply, dueAt: Self.date("2026-12-07T08:30:00Z"), achievedAt: nil, breachedAt: nil, paused: false,
                                      atRiskAt: Self.date("2026-12-07T08:15:00Z"))], "at risk for the last quarter of its hour")
        #expect(!waiting[0].isAtRisk(at: Self.date("2026-12-07T08:14:59Z")) && waiting[0].isAtRisk(at: Self.date("2026-12-07T08:15:00Z")))
        #expect(!waiting[0].isBreached(at: Self.date("2026-12-07T08:29:59Z")) && waiting[0].isBreached(at: Self.date("2026-12-07T08:30:00Z")))
        #expect(!waiting[0].isAtRisk(at: Self.date("2026-12-07T08:30:00Z")), "past due is breached, no longer at risk")
        #expect(waiting[0].asOf(Self.date("2026-12-07T09:00:00Z")).breachedAt == Self.date("2026-12-07T08:30:00Z"))
        let late = clock.targets(policy: p, priority: "urgent", timeline: SLATimeline(createdAt: created, events: []),
                                 now: Self.date("2026-12-07T09:00:00Z"))
        #expect(late.first?.breachedAt == Self.date("2026-12-07T08:30:00Z"))
        let answered = clock.targets(policy: p, priority: "urgent", timeline: SLATimeline(createdAt: created, events: [
            .publicReply(at: Self.date("2026-12-04T15:45:00Z"), byStaff: false),
            .publicReply(at: Self.date("2026-12-07T08:10:00Z"), byStaff: true),
        ]), now: Self.date("2026-12-08T12:00:00Z"))
        #expect(answered.first?.achievedAt == Self.date("2026-12-07T08:10:00Z") && answered.first?.breachedAt == nil)
        #expect(clock.targets(policy: p, priority: "low", timeline: SLATimeline(createdAt: created, events: []), now: created).isEmpty,
                "no target for that priority")
        let solvedUnanswered = clock.targets(policy: p, priority: "urgent", timeline: SLATimeline(createdAt: created, events: [
            .status(at: Self.date("2026-12-04T15:40:00Z"), to: "solved"),
        ]), now: Self.date("2026-12-08T12:00:00Z"))
        #expect(solvedUnanswered.isEmpty, "solved without a reply: nothing is left due")
    }

    @Test("next reply follows the customer's first unanswered message; periodic update rolls from staff's last reply")
    func replies() {
        let clock = SLAClock(calendar: SLAClock.allHours)
        let p = policy(["high": [.nextReply: 120, .periodicUpdate: 240]], business: false)
        let t0 = Self.date("2026-12-01T08:00:00Z")
        func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
        var events: [SLATimeline.Event] = [
            .publicReply(at: at(1), byStaff: false), // before any staff reply: that is first reply's clock
            .publicReply(at: at(2), byStaff: true),
            .publicReply(at: at(3), byStaff: false), .publicReply(at: at(3.5), byStaff: false),
            .publicReply(at: at(6), byStaff: true),
        ]
        let answered = clock.targets(policy: p, priority: "high", timeline: SLATimeline(createdAt: t0, events: events), now: at(7))
        #expect(answered.map(\.metric) == [.nextReply, .periodicUpdate])
        #expect(answered[0] == SLATarget(metric: .nextReply, dueAt: at(5), achievedAt: at(6), breachedAt: at(5), paused: false, atRiskAt: at(4.5)),
                "answered an hour late, counted from the first waiting message")
        #expect(answered[1].dueAt == at(10) && answered[1].breachedAt == nil)
        events.append(.publicReply(at: at(8), byStaff: false))
        let waiting = clock.targets(policy: p, priority: "high", timeline: SLATimeline(createdAt: t0, events: events), now: at(9))
        #expect(waiting[0] == SLATarget(metric: .nextReply, dueAt: at(10), achievedAt: nil, breachedAt: nil, paused: false, atRiskAt: at(9.5)))
        events.append(.status(at: at(9), to: "solved"))
        #expect(clock.targets(policy: p, priority: "high", timeline: SLATimeline(createdAt: t0, events: events), now: at(11)) == [answered[0]],
                "a solved ticket owes no reply: the message left waiting is dropped, the last answered one stays on record")
    }

    @Test("resolution pauses while pending or on hold, carries on after a reopen, and may be set not to pause")
    func resolution() {
        let clock = SLAClock(calendar: SLAClock.allHours)
        let t0 = Self.date("2026-12-01T00:00:00Z")
        func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
        let p = policy(["normal": [.resolution: 8 * 60]], business: false)
        func resolution(_ events: [SLATimeline.Event], now: Double, policy: SLAPolicy? = nil) -> SLATarget? {
            clock.targets(policy: policy ?? p, priority: "normal", timeline: SLATimeline(createdAt: t0, events: events), now: at(now)).first
        }
        let pending: [SLATimeline.Event] = [.status(at: at(2), to: "pending"), .status(at: at(5), to: "open")]
        #expect(resolution(Array(pending.prefix(1)), now: 3) == SLATarget(metric: .resolution, dueAt: nil, achievedAt: nil, breachedAt: nil, paused: true))
        #expect(resolution(pending, now: 6)?.dueAt == at(11), "two hours used before the pause, six after it")
        #expect(resolution(pending + [.status(at: at(10), to: "solved")], now: 12)
                == SLATarget(metric: .resolution, dueAt: at(11), achievedAt: at(10), breachedAt: nil, paused: false, atRiskAt: at(10)),
                "eight hours: at risk in the last hour")
        #expect(resolution(pending + [.status(at: at(12), to: "solved")], now: 13)?.breachedAt == at(11))
        #expect(resolution(pending, now: 6, policy: policy(["normal": [.resolution: 480]], business: false, pauses: false))?.dueAt == at(8))
        let reopened: [SLATimeline.Event] = [.status(at: at(4), to: "solved"), .status(at: at(6), to: "open")]
        #expect(resolution(reopened, now: 7) == SLATarget(metric: .resolution, dueAt: at(10), achievedAt: nil, breachedAt: nil, paused: false, atRiskAt: at(9)))
        #expect(resolution([.status(at: at(9), to: "on_hold")], now: 10)?.breachedAt == at(8), "past due before the pause")

        // In business hours: opened Friday 16:30 Paris with 2 business hours, pending over the weekend.
        let business = SLAClock(calendar: Self.paris)
        let friday = Self.date("2026-12-04T15:30:00Z")
        let target = business.targets(policy: policy(["normal": [.resolution: 120]]), priority: "normal",
                                      timeline: SLATimeline(createdAt: friday, events: [
                                          .status(at: Self.date("2026-12-04T15:45:00Z"), to: "pending"),
                                          .status(at: Self.date("2026-12-07T09:00:00Z"), to: "open"),
                                      ]), now: Self.date("2026-12-07T09:30:00Z")).first
        #expect(target?.dueAt == Self.date("2026-12-07T10:45:00Z"), "15 minutes on Friday, 1 h 45 from Monday 10:00")
    }
}
