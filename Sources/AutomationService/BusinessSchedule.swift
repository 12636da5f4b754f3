import Foundation
import HelpdeskCore

/// When a team works: weekly opening intervals in one time zone, less holidays. SLA targets in business hours
/// are counted on it (`BusinessCalendar`).
public struct BusinessSchedule: Sendable, Equatable {
    /// One opening on a weekday (1 Monday … 7 Sunday, ISO 8601), in minutes from local midnight. `end` may pass
    /// midnight (up to a whole day after `start`): Friday 22:00–02:00 is `start` 1320, `end` 1560.
    public struct Interval: Sendable, Equatable {
        public let weekday: Int
        public let start: Int
        public let end: Int
        public init(weekday: Int, start: Int, end: Int) {
            self.weekday = weekday
            self.start = start
            self.end = end
        }
    }

    /// A closed day; `recurring` closes the same month and day every year (1 May), otherwise only that date.
    public struct Holiday: Sendable, Equatable {
        public let year: Int
        public let month: Int
        public let day: Int
        public let recurring: Bool
        public init(year: Int, month: Int, day: Int, recurring: Bool = false) {
            self.year = year
            self.month = month
            self.day = day
            self.recurring = recurring
        }
    }

    public let timeZone: TimeZone
    public let intervals: [Interval]
    public let holidays: [Holiday]
    /// Per ISO weekday (index 1…7), the open minutes of that local day, cut at midnight, sorted, never overlapping.
    let segments: [[(start: Int, end: Int)]]

    public static func == (a: Self, b: Self) -> Bool {
        a.timeZone.identifier == b.timeZone.identifier && a.intervals == b.intervals && a.holidays == b.holidays
    }

    /// Checks the definition: a known time zone, weekdays 1–7, minutes in range, no overlapping openings, and at
    /// least one opening (a week without hours would never reach a target). 422 naming each wrong part.
    public init(timeZone identifier: String, intervals: [Interval], holidays: [Holiday] = []) throws {
        var errors: [FieldError] = []
        let zone = TimeZone(identifier: identifier)
        if zone == nil { errors.append(FieldError(field: "time_zone", message: "is not a known time zone (e.g. Europe/Paris)")) }
        if intervals.isEmpty { errors.append(FieldError(field: "intervals", message: "must hold at least one opening: a schedule with no hours never reaches a target")) }
        var days = [[(start: Int, end: Int, index: Int)]](repeating: [], count: 8)
        for (i, interval) in intervals.enumerated() {
            var ok = true
            if !(1...7).contains(interval.weekday) {
                errors.append(FieldError(field: "intervals[\(i)].weekday", message: "must be 1 (Monday) to 7 (Sunday)")); ok = false
            }
            if !(0..<1440).contains(interval.start) {
                errors.append(FieldError(field: "intervals[\(i)].start", message: "must be a time of day from 00:00 to 23:59")); ok = false
            }
            if interval.end <= interval.start || interval.end > interval.start + 1440 {
                errors.append(FieldError(field: "intervals[\(i)].end", message: "must come after start, at most a day later")); ok = false
            }
            guard ok else { continue }
            // Cut at midnight: the part after it belongs to the next weekday.
            days[interval.weekday].append((interval.start, min(interval.end, 1440), i))
            if interval.end > 1440 { days[interval.weekday % 7 + 1].append((0, interval.end - 1440, i)) }
        }
        for day in 1...7 {
            let sorted = days[day].sorted { ($0.start, $0.end) < ($1.start, $1.end) }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.start < a.end {
                errors.append(FieldError(field: "intervals[\(max(a.index, b.index))]", message: "overlaps intervals[\(min(a.index, b.index))]"))
            }
            days[day] = sorted
        }
        for (i, h) in holidays.enumerated() where !Civil.isValid(year: h.year, month: h.month, day: h.day) {
            errors.append(FieldError(field: "holidays[\(i)].date", message: "is not a date"))
        }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        self.timeZone = zone!
        self.intervals = intervals
        self.holidays = holidays
        self.segments = days.map { $0.map { ($0.start, $0.end) } }
    }

    /// Whether this local date (days since 1970-01-01) is a holiday.
    func isHoliday(_ day: Int) -> Bool {
        let (y, m, d) = Civil.date(fromDays: day)
        return holidays.contains { $0.month == m && $0.day == d && ($0.recurring || $0.year == y) }
    }
}

/// Proleptic Gregorian dates as days since 1970-01-01 (H. Hinnant's algorithms), without `Calendar`: the
/// calendar function must give the same answer on every platform.
enum Civil {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func date(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return date(fromDays: days(year: year, month: month, day: day)) == (year, month, day)
    }

    /// ISO weekday, 1 Monday … 7 Sunday (1970-01-01 was a Thursday).
    static func weekday(ofDays days: Int) -> Int {
        ((days % 7 + 7) % 7 + 3) % 7 + 1
    }
}
