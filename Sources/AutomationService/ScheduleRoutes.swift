import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/schedules`.
struct ScheduleRoutes {
    let schedules: Schedules

    func add(to routes: Routes) {
        routes.get { request, context in
            let p = try context.require(.admin)
            return try .json(try await schedules.list(p, page: try PageRequest.parse(limit: request.query("limit"),
                                                                                      cursor: request.query("cursor"))))
        }
        routes.post { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(try await schedules.create(p, input), status: .created)
        }
        routes.get(":id") { _, context in
            let p = try context.require(.admin)
            return try .json(try await schedules.get(p, id: try context.parameters.uuid("id", what: "schedule")))
        }
        routes.patch(":id") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "schedule")
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(try await schedules.update(p, id: id, input))
        }
        routes.delete(":id") { _, context in
            let p = try context.require(.admin)
            try await schedules.delete(p, id: try context.parameters.uuid("id", what: "schedule"))
            return Response(status: .noContent)
        }
        // "N business minutes after T": what an SLA target on this schedule would be due at.
        routes.get(":id/due") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "schedule")
            guard let fromText = request.query("from"), let from = RFC3339.date(from: fromText) else {
                throw HelpdeskError.badParameter("from", "must be an RFC 3339 time such as 2026-12-04T16:30:00Z")
            }
            guard let minutesText = request.query("minutes"), let minutes = Int(minutesText) else {
                throw HelpdeskError.badParameter("minutes", "must be a whole number of business minutes")
            }
            let due = try await schedules.due(p, id: id, from: from, minutes: minutes)
            return try .json(["from": RFC3339.string(from: from), "minutes": String(minutes), "due_at": RFC3339.string(from: due)])
        }
    }

    static let fields: Set<String> = ["name", "time_zone", "intervals", "holidays", "default"]

    static func input(_ body: inout JSONBody) -> ScheduleInput {
        var input = ScheduleInput()
        input.name = body.string("name")
        input.timeZone = body.string("time_zone")
        input.isDefault = body.bool("default")
        if let value = body.object["intervals"] {
            if case .array(let items) = value {
                var intervals: [BusinessSchedule.Interval] = []
                for (i, item) in items.enumerated() {
                    guard case .object(let o) = item else { body.fail("intervals[\(i)]", "must be an object"); continue }
                    for key in o.keys.sorted() where !["weekday", "start", "end"].contains(key) {
                        body.fail("intervals[\(i)].\(key)", "is not a known field")
                    }
                    var weekday: Int?
                    if case .number(let n)? = o["weekday"], n == n.rounded(), abs(n) < 1e6 { weekday = Int(n) } else {
                        body.fail("intervals[\(i)].weekday", "must be 1 (Monday) to 7 (Sunday)")
                    }
                    func time(_ key: String) -> Int? {
                        if case .string(let s)? = o[key], let m = ScheduleJSON.minutes(s) { return m }
                        body.fail("intervals[\(i)].\(key)", "must be a time HH:MM from 00:00 to 24:00")
                        return nil
                    }
                    let (start, end) = (time("start"), time("end"))
                    guard let weekday, let start, var end else { continue }
                    // An end at or before the start is on the next day (22:00–02:00); 24:00 is midnight.
                    if end <= start { end += 1440 }
                    intervals.append(BusinessSchedule.Interval(weekday: weekday, start: start == 1440 ? -1 : start, end: end)) // 24:00 cannot open
                }
                input.intervals = intervals
            } else {
                body.fail("intervals", "must be an array of {weekday, start, end}")
            }
        }
        if let value = body.object["holidays"] {
            if case .array(let items) = value {
                var holidays: [BusinessSchedule.Holiday] = []
                for (i, item) in items.enumerated() {
                    guard case .object(let o) = item else { body.fail("holidays[\(i)]", "must be an object"); continue }
                    for key in o.keys.sorted() where !["date", "recurring"].contains(key) {
                        body.fail("holidays[\(i)].\(key)", "is not a known field")
                    }
                    var recurring = false
                    if let r = o["recurring"] {
                        if case .bool(let b) = r { recurring = b } else { body.fail("holidays[\(i)].recurring", "must be true or false") }
                    }
                    guard case .string(let text)? = o["date"], let (y, m, d) = ScheduleJSON.date(text) else {
                        body.fail("holidays[\(i)].date", "must be a date YYYY-MM-DD")
                        continue
                    }
                    holidays.append(BusinessSchedule.Holiday(year: y, month: m, day: d, recurring: recurring))
                }
                input.holidays = holidays
            } else {
                body.fail("holidays", "must be an array of {date, recurring}")
            }
        }
        return input
    }
}
