import Foundation

/// Business time on a `BusinessSchedule`: "N business minutes after T" and "business minutes between T1 and T2".
/// Pure: real elapsed time while the schedule is open, so a day with a daylight-saving change counts what the
/// clock on the wall really passed. Local times that do not exist (the hour skipped in spring) read as the time
/// after the skip; times that happen twice (the hour repeated in autumn) as their first occurrence.
public struct BusinessCalendar: Sendable {
    public let schedule: BusinessSchedule
    /// How far ahead to look for open time before giving up (holidays could close every remaining day).
    static let horizonDays = 3_660

    public init(_ schedule: BusinessSchedule) {
        self.schedule = schedule
    }

    /// The instant `minutes` business minutes after `start`: counting starts at the first open moment at or after
    /// `start` (0 minutes gives that moment). Nil when the schedule has no open time within ten years.
    public func adding(minutes: Int, to start: Date) -> Date? {
        adding(seconds: Int64(max(minutes, 0)) * 60, to: start)
    }

    /// `adding(minutes:to:)` to the second.
    public func adding(seconds: Int64, to start: Date) -> Date? {
        var left = max(seconds, 0)
        let from = Self.seconds(start)
        let firstDay = localDay(of: from)
        for day in firstDay..<(firstDay + Self.horizonDays) {
            for (open, close) in openings(on: day) where close > from {
                let begin = max(open, from)
                if close - begin >= left, close > begin || left == 0 {
                    return Date(timeIntervalSince1970: TimeInterval(begin + left))
                }
                left -= close - begin
            }
        }
        return nil
    }

    /// Whole business minutes from `start` to `end` (0 when `end` is not after `start`).
    public func minutes(from start: Date, to end: Date) -> Int {
        Int(seconds(from: start, to: end) / 60)
    }

    /// Business seconds from `start` to `end`.
    public func seconds(from start: Date, to end: Date) -> Int64 {
        let (a, b) = (Self.seconds(start), Self.seconds(end))
        guard b > a else { return 0 }
        var total: Int64 = 0
        for day in localDay(of: a)...localDay(of: b) {
            for (open, close) in openings(on: day) {
                let overlap = min(close, b) - max(open, a)
                if overlap > 0 { total += overlap }
            }
        }
        return total
    }

    /// Whether the schedule is open at `instant`.
    public func isOpen(at instant: Date) -> Bool {
        let t = Self.seconds(instant)
        return openings(on: localDay(of: t)).contains { $0.0 <= t && t < $0.1 }
    }

    /// The open spans of one local day as epoch-second ranges, in order; none on a holiday.
    func openings(on day: Int) -> [(Int64, Int64)] {
        guard !schedule.isHoliday(day) else { return [] }
        return schedule.segments[Civil.weekday(ofDays: day)].compactMap { segment in
            let open = instant(day: day, minute: segment.start)
            let close = segment.end == 1440 ? instant(day: day + 1, minute: 0) : instant(day: day, minute: segment.end)
            return close > open ? (open, close) : nil // an opening inside the skipped spring hour has no length
        }
    }

    /// The local date (days since 1970-01-01) of an instant in the schedule's zone.
    func localDay(of seconds: Int64) -> Int {
        let local = seconds + Int64(offset(seconds))
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The instant of a local wall-clock time: of the offsets in force around it, the one that gives back that
    /// wall time (the earlier instant when both do); in a spring gap, the time the clock jumped to.
    func instant(day: Int, minute: Int) -> Int64 {
        let local = Int64(day) * 86_400 + Int64(minute) * 60
        let before = Int64(offset(local - 86_400)), after = Int64(offset(local + 86_400))
        let candidates = [local - before, local - after].filter { $0 + Int64(offset($0)) == local }
        if let earliest = candidates.min() { return earliest }
        return local - min(before, after)
    }

    func offset(_ seconds: Int64) -> Int {
        schedule.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
