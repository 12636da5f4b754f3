import Foundation
import HelpdeskCore

/// A named business-hours schedule of a workspace, as stored and as the API shows it. One is the workspace's
/// default: SLA targets in business hours count on it unless a team has its own (later).
public struct StoredSchedule: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    public var name: String
    public var isDefault: Bool
    public var schedule: BusinessSchedule
    public let createdAt: Date
    public var updatedAt: Date
}

extension StoredSchedule: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, name, intervals, holidays
        case timeZone = "time_zone"
        case isDefault = "default"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(schedule.timeZone.identifier, forKey: .timeZone)
        try c.encode(schedule.intervals.map(ScheduleJSON.Interval.init), forKey: .intervals)
        try c.encode(schedule.holidays.map(ScheduleJSON.Holiday.init), forKey: .holidays)
        try c.encode(isDefault, forKey: .isDefault)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The wire form of openings and holidays: `{weekday, start: "09:00", end: "17:00"}` (an end at or before the
/// start is on the next day: `22:00`–`02:00`; `24:00` is midnight) and `{date: "2026-12-25", recurring}`.
enum ScheduleJSON {
    struct Interval: Codable {
        let weekday: Int
        let start: String
        let end: String
        init(_ i: BusinessSchedule.Interval) {
            weekday = i.weekday
            start = ScheduleJSON.time(i.start)
            end = ScheduleJSON.time(i.end > 1440 ? i.end - 1440 : i.end)
        }
    }

    struct Holiday: Codable {
        let date: String
        let recurring: Bool
        init(_ h: BusinessSchedule.Holiday) {
            date = String(format: "%04d-%02d-%02d", h.year, h.month, h.day)
            recurring = h.recurring
        }
    }

    static func time(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    /// `HH:MM` (00:00–24:00) → minutes, nil when it is not one.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h < 24 || m == 0 else { return nil }
        return h * 60 + m
    }

    /// `YYYY-MM-DD` → its parts, nil when it is not that shape (the date itself is checked by the schedule).
    static func date(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return (y, m, d)
    }
}
