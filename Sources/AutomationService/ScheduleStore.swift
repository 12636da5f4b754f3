import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Every SQL statement of the automations service.
struct ScheduleStore: Sendable {
    struct Row: Codable {
        let weekday: Int, start: Int, end: Int
    }
    struct HolidayRow: Codable {
        let year: Int, month: Int, day: Int, recurring: Bool
    }

    func insert(_ s: StoredSchedule, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO business_schedules (id, workspace_id, name, time_zone, intervals, holidays, is_default, created_at, updated_at)
            VALUES (\(bind: s.id.lowercased), \(bind: s.workspaceID.lowercased), \(bind: s.name), \(bind: s.schedule.timeZone.identifier),
                    \(bind: try Self.json(s.schedule.intervals.map { Row(weekday: $0.weekday, start: $0.start, end: $0.end) })),
                    \(bind: try Self.json(s.schedule.holidays.map { HolidayRow(year: $0.year, month: $0.month, day: $0.day, recurring: $0.recurring) })),
                    \(bind: s.isDefault), \(bind: s.createdAt.epochMilliseconds), \(bind: s.updatedAt.epochMilliseconds))
            """).run()
    }

    func update(_ s: StoredSchedule, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE business_schedules SET name = \(bind: s.name), time_zone = \(bind: s.schedule.timeZone.identifier),
              intervals = \(bind: try Self.json(s.schedule.intervals.map { Row(weekday: $0.weekday, start: $0.start, end: $0.end) })),
              holidays = \(bind: try Self.json(s.schedule.holidays.map { HolidayRow(year: $0.year, month: $0.month, day: $0.day, recurring: $0.recurring) })),
              is_default = \(bind: s.isDefault), updated_at = \(bind: s.updatedAt.epochMilliseconds)
            WHERE id = \(bind: s.id.lowercased) AND workspace_id = \(bind: s.workspaceID.lowercased)
            """).run()
    }

    /// Makes `id` the only default of its workspace.
    func makeDefault(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE business_schedules SET is_default = (id = \(bind: id.lowercased))
            WHERE workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func delete(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM business_schedules WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).run()
    }

    func schedule(workspaceID: UUID, id: UUID, on db: any SQLDatabase) async throws -> StoredSchedule? {
        try await db.raw("""
            SELECT * FROM business_schedules WHERE id = \(bind: id.lowercased) AND workspace_id = \(bind: workspaceID.lowercased)
            """).first().map(Self.decode)
    }

    func schedules(workspaceID: UUID, after: UUID?, limit: Int, on db: any SQLDatabase) async throws -> [StoredSchedule] {
        try await db.raw("""
            SELECT * FROM business_schedules WHERE workspace_id = \(bind: workspaceID.lowercased)
              AND id > \(bind: after?.lowercased ?? "") ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """).all().map(Self.decode)
    }

    /// The workspace's default schedule, if it has any schedule.
    func defaultSchedule(workspaceID: UUID, on db: any SQLDatabase) async throws -> StoredSchedule? {
        try await db.raw("""
            SELECT * FROM business_schedules WHERE workspace_id = \(bind: workspaceID.lowercased) AND is_default = \(bind: true)
            """).first().map(Self.decode)
    }

    /// The oldest other schedule, to become the default when the default one is deleted.
    func oldest(workspaceID: UUID, on db: any SQLDatabase) async throws -> UUID? {
        try await db.raw("""
            SELECT id FROM business_schedules WHERE workspace_id = \(bind: workspaceID.lowercased) ORDER BY id LIMIT 1
            """).first().map { try $0.uuid("id") }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode(_ row: any SQLRow) throws -> StoredSchedule {
        let intervals = try JSONDecoder().decode([Row].self, from: Data(try row.decode(column: "intervals", as: String.self).utf8))
        let holidays = try JSONDecoder().decode([HolidayRow].self, from: Data(try row.decode(column: "holidays", as: String.self).utf8))
        return StoredSchedule(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"), name: try row.decode(column: "name", as: String.self),
            isDefault: try row.decode(column: "is_default", as: Bool.self),
            schedule: try BusinessSchedule(timeZone: try row.decode(column: "time_zone", as: String.self),
                                           intervals: intervals.map { .init(weekday: $0.weekday, start: $0.start, end: $0.end) },
                                           holidays: holidays.map { .init(year: $0.year, month: $0.month, day: $0.day, recurring: $0.recurring) }),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
