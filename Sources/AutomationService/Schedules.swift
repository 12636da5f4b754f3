import Foundation
import HelpdeskCore
import Platform

/// What a create or update of a schedule asks for; nil leaves a field alone on update.
public struct ScheduleInput: Sendable {
    public var name: String?
    public var timeZone: String?
    public var intervals: [BusinessSchedule.Interval]?
    public var holidays: [BusinessSchedule.Holiday]?
    public var isDefault: Bool?
    public init() {}
}

/// Admins manage the workspace's business-hours schedules. The first one is the default; making another the
/// default takes it from the old one; deleting the default hands it to the oldest left.
public struct Schedules: Sendable {
    let database: Database
    let store: ScheduleStore
    let clock: TimeSource
    /// At most this many schedules per workspace: they are read on every SLA computation.
    static let limit = 100

    public func list(_ p: Principal, page: PageRequest) async throws -> Page<StoredSchedule> {
        try p.require(.admin)
        let rows = try await store.schedules(workspaceID: p.workspaceID, after: try page.afterID(), limit: page.limit + 1,
                                             on: database.sql)
        return Page(rows: rows, limit: page.limit) { $0.id.lowercased }
    }

    public func get(_ p: Principal, id: UUID) async throws -> StoredSchedule {
        try p.require(.admin)
        guard let s = try await store.schedule(workspaceID: p.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("schedule")
        }
        return s
    }

    public func create(_ p: Principal, _ input: ScheduleInput) async throws -> StoredSchedule {
        try p.require(.admin)
        var errors: [FieldError] = []
        if input.name == nil { errors.append(FieldError(field: "name", message: "is required")) }
        if input.timeZone == nil { errors.append(FieldError(field: "time_zone", message: "is required")) }
        if input.intervals == nil { errors.append(FieldError(field: "intervals", message: "is required")) }
        let name = input.name.flatMap { Self.name($0, errors: &errors) }
        let schedule = input.timeZone.flatMap { zone in input.intervals.flatMap { Self.schedule(zone, $0, input.holidays ?? [], errors: &errors) } }
        guard errors.isEmpty, let name, let schedule else { throw HelpdeskError.validation(errors) }
        let now = clock.now
        return try await database.transaction { [store] db in
            let existing = try await store.schedules(workspaceID: p.workspaceID, after: nil, limit: Self.limit + 1, on: db)
            if existing.count >= Self.limit {
                throw HelpdeskError.conflict(code: "too_many_schedules", "A workspace holds at most \(Self.limit) schedules.")
            }
            let created = StoredSchedule(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, name: name,
                                         isDefault: existing.isEmpty || input.isDefault == true, schedule: schedule,
                                         createdAt: now, updatedAt: now)
            try await store.insert(created, on: db)
            if created.isDefault { try await store.makeDefault(workspaceID: p.workspaceID, id: created.id, on: db) }
            try await Outbox.append(Self.event("schedule.created", created, p, ["name": .string(name)]), on: db)
            return created
        }
    }

    public func update(_ p: Principal, id: UUID, _ input: ScheduleInput) async throws -> StoredSchedule {
        var current = try await get(p, id: id)
        var errors: [FieldError] = []
        if let name = input.name, let valid = Self.name(name, errors: &errors) { current.name = valid }
        if input.timeZone != nil || input.intervals != nil || input.holidays != nil,
           let schedule = Self.schedule(input.timeZone ?? current.schedule.timeZone.identifier,
                                        input.intervals ?? current.schedule.intervals,
                                        input.holidays ?? current.schedule.holidays, errors: &errors) {
            current.schedule = schedule
        }
        if input.isDefault == false && current.isDefault {
            errors.append(FieldError(field: "default", message: "make another schedule the default instead"))
        }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        current.isDefault = current.isDefault || input.isDefault == true
        current.updatedAt = clock.now
        let updated = current
        try await database.transaction { [store] db in
            try await store.update(updated, on: db)
            if updated.isDefault { try await store.makeDefault(workspaceID: p.workspaceID, id: updated.id, on: db) }
            try await Outbox.append(Self.event("schedule.updated", updated, p, ["name": .string(updated.name)]), on: db)
        }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        let current = try await get(p, id: id)
        try await database.transaction { [store] db in
            try await store.delete(workspaceID: p.workspaceID, id: id, on: db)
            if current.isDefault, let next = try await store.oldest(workspaceID: p.workspaceID, on: db) {
                try await store.makeDefault(workspaceID: p.workspaceID, id: next, on: db)
            }
            try await Outbox.append(Self.event("schedule.deleted", current, p, ["name": .string(current.name)]), on: db)
        }
    }

    /// When `minutes` business minutes after `from` falls on a schedule: what SLA targets will use, for admins to
    /// check a schedule.
    public func due(_ p: Principal, id: UUID, from: Date, minutes: Int) async throws -> Date {
        guard (0...527_040).contains(minutes) else { throw HelpdeskError.validation(field: "minutes", "must be 0 to 527040 (a year)") }
        guard let due = BusinessCalendar(try await get(p, id: id).schedule).adding(minutes: minutes, to: from) else {
            throw HelpdeskError.validation(field: "minutes", "the schedule has no open time in the next ten years")
        }
        return due
    }

    static func name(_ raw: String, errors: inout [FieldError]) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.textLength <= 100 else {
            errors.append(FieldError(field: "name", message: "must be 1 to 100 characters"))
            return nil
        }
        return trimmed
    }

    static func schedule(_ zone: String, _ intervals: [BusinessSchedule.Interval], _ holidays: [BusinessSchedule.Holiday],
                         errors: inout [FieldError]) -> BusinessSchedule? {
        if intervals.count > 70 { errors.append(FieldError(field: "intervals", message: "must hold at most 70 openings")); return nil }
        if holidays.count > 500 { errors.append(FieldError(field: "holidays", message: "must hold at most 500 days")); return nil }
        do { return try BusinessSchedule(timeZone: zone, intervals: intervals, holidays: holidays) } catch let error as HelpdeskError {
            errors += error.errors
        } catch {
            errors.append(FieldError(field: "intervals", message: "\(error)"))
        }
        return nil
    }

    static func event(_ type: String, _ s: StoredSchedule, _ p: Principal, _ data: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: s.workspaceID, actor: p.actor,
                      subject: EventSubject(type: "schedule", id: s.id), occurredAt: s.updatedAt, data: .object(data))
    }
}
