import AutomationService
import Foundation
import HelpdeskCore
import Testing

@Suite("Business hours calendar")
struct BusinessCalendarTests {
    typealias Interval = BusinessSchedule.Interval
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
    static func weekdays(_ start: Int, _ end: Int) -> [Interval] { (1...5).map { Interval(weekday: $0, start: start, end: end) } }
    static let officeHours = weekdays(9 * 60, 17 * 60)

    func calendar(_ zone: String, _ intervals: [Interval], holidays: [BusinessSchedule.Holiday] = []) throws -> BusinessCalendar {
        BusinessCalendar(try BusinessSchedule(timeZone: zone, intervals: intervals, holidays: holidays))
    }

    @Test("Friday 16:30 plus one business hour is Monday 09:30; holidays, fixed and yearly, are skipped")
    func weekendsAndHolidays() throws {
        let paris = try calendar("Europe/Paris", Self.officeHours)
        #expect(paris.adding(minutes: 60, to: Self.date("2026-12-04T15:30:00Z")) == Self.date("2026-12-07T08:30:00Z"))
        #expect(paris.adding(minutes: 30, to: Self.date("2026-12-04T15:30:00Z")) == Self.date("2026-12-04T16:00:00Z"), "ends at closing")
        #expect(paris.adding(minutes: 0, to: Self.date("2026-12-05T10:00:00Z")) == Self.date("2026-12-07T08:00:00Z"), "the next opening")
        #expect(paris.minutes(from: Self.date("2026-12-04T15:30:00Z"), to: Self.date("2026-12-07T08:30:00Z")) == 60)
        #expect(paris.minutes(from: Self.date("2026-12-07T08:30:00Z"), to: Self.date("2026-12-04T15:30:00Z")) == 0)
        #expect(paris.isOpen(at: Self.date("2026-12-07T08:00:00Z")) && !paris.isOpen(at: Self.date("2026-12-07T16:00:00Z")))

        let holiday = try calendar("Europe/Paris", Self.officeHours, holidays: [
            .init(year: 2026, month: 12, day: 7), .init(year: 2000, month: 12, day: 25, recurring: true),
        ])
        #expect(holiday.adding(minutes: 60, to: Self.date("2026-12-04T15:30:00Z")) == Self.date("2026-12-08T08:30:00Z"))
        #expect(holiday.adding(minutes: 60, to: Self.date("2026-12-24T15:30:00Z")) == Self.date("2026-12-28T08:30:00Z"),
                "Christmas 2026, a Friday, from a holiday of 2000")
        #expect(holiday.minutes(from: Self.date("2026-12-21T00:00:00Z"), to: Self.date("2026-12-28T00:00:00Z")) == 4 * 8 * 60)
    }

    @Test("across daylight-saving changes in Paris and New York, business time is the time that really passes")
    func daylightSaving() throws {
        let allSunday = [Interval(weekday: 7, start: 0, end: 1440)]
        let paris = try calendar("Europe/Paris", allSunday)
        // 29 March 2026 has 23 hours, 25 October 2026 has 25.
        #expect(paris.minutes(from: Self.date("2026-03-28T23:00:00Z"), to: Self.date("2026-03-29T22:00:00Z")) == 23 * 60)
        #expect(paris.minutes(from: Self.date("2026-10-24T22:00:00Z"), to: Self.date("2026-10-25T23:00:00Z")) == 25 * 60)
        #expect(paris.adding(minutes: 120, to: Self.date("2026-03-29T00:30:00Z")) == Self.date("2026-03-29T02:30:00Z"))
        #expect(paris.adding(minutes: 24 * 60, to: Self.date("2026-10-24T22:00:00Z")) == Self.date("2026-10-25T22:00:00Z"))

        // Office hours keep their wall-clock times on either side of the change.
        let newYork = try calendar("America/New_York", Self.officeHours)
        #expect(newYork.adding(minutes: 60, to: Self.date("2026-03-06T21:30:00Z")) == Self.date("2026-03-09T13:30:00Z"))
        #expect(newYork.adding(minutes: 60, to: Self.date("2026-10-30T20:30:00Z")) == Self.date("2026-11-02T14:30:00Z"))
        let office = try calendar("Europe/Paris", Self.officeHours)
        #expect(office.adding(minutes: 60, to: Self.date("2026-03-27T15:30:00Z")) == Self.date("2026-03-30T07:30:00Z"))
        #expect(office.adding(minutes: 60, to: Self.date("2026-10-23T14:30:00Z")) == Self.date("2026-10-26T08:30:00Z"))

        // An opening inside the skipped hour has no length that day; in the repeated hour it lasts both.
        let night = try calendar("Europe/Paris", [Interval(weekday: 7, start: 120, end: 180)])
        #expect(night.adding(minutes: 30, to: Self.date("2026-03-28T12:00:00Z")) == Self.date("2026-04-05T00:30:00Z"))
        #expect(night.minutes(from: Self.date("2026-10-24T12:00:00Z"), to: Self.date("2026-10-26T00:00:00Z")) == 120)
    }

    @Test("an opening past midnight counts on both days")
    func midnight() throws {
        let late = try calendar("Europe/Paris", [Interval(weekday: 5, start: 22 * 60, end: 26 * 60)])
        #expect(late.adding(minutes: 60, to: Self.date("2026-12-04T22:30:00Z")) == Self.date("2026-12-04T23:30:00Z"))
        #expect(late.minutes(from: Self.date("2026-12-04T20:00:00Z"), to: Self.date("2026-12-05T05:00:00Z")) == 240)
        #expect(late.adding(minutes: 240, to: Self.date("2026-12-04T21:00:00Z")) == Self.date("2026-12-05T01:00:00Z"))
        #expect(late.adding(minutes: 241, to: Self.date("2026-12-04T21:00:00Z")) == Self.date("2026-12-11T21:01:00Z"), "next Friday")
        #expect(late.isOpen(at: Self.date("2026-12-05T00:30:00Z")), "Saturday 01:30 in Paris")
    }

    @Test("adding N minutes and measuring them back agree, for instants all over a year")
    func roundTrip() throws {
        var intervals = Self.weekdays(8 * 60 + 30, 12 * 60) + Self.weekdays(13 * 60 + 30, 18 * 60)
        intervals.append(Interval(weekday: 6, start: 23 * 60, end: 25 * 60 + 30))
        let cal = try calendar("America/New_York", intervals, holidays: [.init(year: 2026, month: 7, day: 4, recurring: true),
                                                                         .init(year: 2026, month: 11, day: 26)])
        var rng = SeededGenerator(seed: 20261207)
        let start = Self.date("2026-01-01T00:00:00Z").timeIntervalSince1970
        for _ in 0..<500 {
            let t = Date(timeIntervalSince1970: start + Double(Int.random(in: 0..<(366 * 86_400), using: &rng)))
            let n = Int.random(in: 0..<(60 * 60), using: &rng)
            let due = try #require(cal.adding(minutes: n, to: t))
            #expect(due >= t)
            #expect(cal.minutes(from: t, to: due) == n, "\(t) + \(n) min = \(due)")
            if n > 0 { #expect(cal.isOpen(at: due.addingTimeInterval(-1)), "the last counted second is open time") }
        }
    }

    @Test("a schedule without hours, with overlaps, unknown zones or impossible dates is refused, naming the part")
    func validation() {
        func fields(_ zone: String, _ intervals: [Interval], _ holidays: [BusinessSchedule.Holiday] = []) -> [String] {
            do {
                _ = try BusinessSchedule(timeZone: zone, intervals: intervals, holidays: holidays)
                return []
            } catch let error as HelpdeskError {
                #expect(error.status == 422)
                return error.errors.map(\.field)
            } catch { return ["\(error)"] }
        }
        #expect(fields("Europe/Paris", []) == ["intervals"], "an empty week")
        #expect(fields("Mars/Olympus", Self.officeHours) == ["time_zone"])
        #expect(fields("Europe/Paris", [Interval(weekday: 1, start: 540, end: 720), Interval(weekday: 1, start: 700, end: 800)])
                == ["intervals[1]"])
        #expect(fields("Europe/Paris", [Interval(weekday: 7, start: 1380, end: 1500), Interval(weekday: 1, start: 0, end: 30)])
                == ["intervals[1]"], "Sunday's opening runs into Monday's")
        #expect(fields("Europe/Paris", [Interval(weekday: 8, start: 0, end: 60), Interval(weekday: 1, start: 600, end: 600),
                                        Interval(weekday: 2, start: -1, end: 60), Interval(weekday: 3, start: 0, end: 1441)])
                == ["intervals[0].weekday", "intervals[1].end", "intervals[2].start", "intervals[3].end"])
        #expect(fields("Europe/Paris", Self.officeHours, [.init(year: 2026, month: 2, day: 30)]) == ["holidays[0].date"])
        #expect(fields("Europe/Paris", [Interval(weekday: 1, start: 0, end: 1440), Interval(weekday: 2, start: 0, end: 1440)]).isEmpty,
                "back-to-back days are fine")
    }

    @Test("when holidays close every day, there is no due time rather than an endless search")
    func neverOpen() throws {
        var closed: [BusinessSchedule.Holiday] = []
        for month in 1...12 { for day in 1...31 where month != 2 || day <= 29 { closed.append(.init(year: 2024, month: month, day: day, recurring: true)) } }
        let cal = try calendar("Europe/Paris", Self.officeHours, holidays: closed.filter { $0.day <= 30 || [1, 3, 5, 7, 8, 10, 12].contains($0.month) })
        #expect(cal.adding(minutes: 1, to: Self.date("2026-12-04T15:30:00Z")) == nil)
    }
}

/// SplitMix64: reproducible random cases.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
