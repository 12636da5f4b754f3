import Foundation
import Testing

@Suite("Business-hours schedules API")
struct ScheduleTests {
    static var office: [[String: Any]] { (1...5).map { ["weekday": $0, "start": "09:00", "end": "17:00"] } }

    @Test("admins keep schedules; the first is the default; due times follow openings, holidays and midnight")
    func schedules() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("sched-agent@example.com", by: admin)
            #expect(try await h.request(.get, "/api/v1/schedules", token: agent.accessToken).status == 403)
            let paris = try await h.request(.post, "/api/v1/schedules", json: [
                "name": " Paris office ", "time_zone": "Europe/Paris", "intervals": Self.office,
                "holidays": [["date": "2026-12-25", "recurring": true], ["date": "2026-12-07"]],
            ], token: admin.accessToken)
            #expect(paris.status == 201, "\(paris.text)")
            #expect(paris["name"] == "Paris office" && paris.json["default"] as? Bool == true, "the first is the default")
            #expect((paris.json["intervals"] as? [[String: Any]])?.first?["end"] as? String == "17:00")
            #expect((paris.json["holidays"] as? [[String: Any]])?.last?["recurring"] as? Bool == false)
            let id = try #require(paris["id"])

            // Friday 16:30 in Paris plus an hour: Monday 7 December is a holiday, so Tuesday 09:30.
            let due = try await h.request(.get, "/api/v1/schedules/\(id)/due?from=2026-12-04T15:30:00Z&minutes=60", token: admin.accessToken)
            #expect(due.status == 200, "\(due.text)")
            #expect(due["due_at"].flatMap { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") }
                    == ISO8601DateFormatter().date(from: "2026-12-08T08:30:00Z"), "\(due.text)")
            #expect(try await h.request(.get, "/api/v1/schedules/\(id)/due?from=yesterday&minutes=60", token: admin.accessToken).status == 400)

            // A night shift past midnight, made the default: the old default gives it up.
            let night = try await h.request(.post, "/api/v1/schedules", json: [
                "name": "Night desk", "time_zone": "America/New_York", "default": true,
                "intervals": [["weekday": 5, "start": "22:00", "end": "02:00"]],
            ], token: admin.accessToken)
            #expect(night.status == 201 && night.json["default"] as? Bool == true, "\(night.text)")
            let nightID = try #require(night["id"])
            #expect((night.json["intervals"] as? [[String: Any]])?.first?["end"] as? String == "02:00")
            let list = try await h.request(.get, "/api/v1/schedules", token: admin.accessToken).items
            #expect(list.compactMap { $0["default"] as? Bool } == [false, true])
            let late = try await h.request(.get, "/api/v1/schedules/\(nightID)/due?from=2026-12-05T04:30:00Z&minutes=60", token: admin.accessToken)
            #expect(late["due_at"]?.hasPrefix("2026-12-05T05:30:00") == true, "Friday 23:30 in New York + 1 h = Saturday 00:30: \(late.text)")

            // Bad input names each part and changes nothing.
            let bad = try await h.request(.patch, "/api/v1/schedules/\(id)", json: [
                "time_zone": "Mars/Olympus", "intervals": [["weekday": 1, "start": "09:00", "end": "12:00"], ["weekday": 1, "start": "11:00", "end": "13:00"]],
                "holidays": [["date": "2026-02-30"]],
            ], token: admin.accessToken)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["time_zone", "intervals[1]", "holidays[0].date"], "\(bad.text)")
            let empty = try await h.request(.post, "/api/v1/schedules", json: ["name": "Closed", "time_zone": "UTC", "intervals": []],
                                            token: admin.accessToken)
            #expect(empty.status == 422 && empty.errorFields == ["intervals"], "a week without hours")
            let shapes = try await h.request(.post, "/api/v1/schedules", json: [
                "name": "x", "time_zone": "UTC", "intervals": [["weekday": 9, "start": "9am", "end": "25:00"]],
            ], token: admin.accessToken)
            #expect(shapes.status == 422)
            #expect(try await h.request(.patch, "/api/v1/schedules/\(nightID)", json: ["default": false], token: admin.accessToken)
                .errorFields == ["default"], "one schedule is always the default")
            #expect(try await h.request(.get, "/api/v1/schedules/\(id)", token: admin.accessToken)["time_zone"] == "Europe/Paris")

            // Deleting the default hands it to the oldest left.
            #expect(try await h.request(.delete, "/api/v1/schedules/\(nightID)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.get, "/api/v1/schedules/\(id)", token: admin.accessToken).json["default"] as? Bool == true)
            #expect(try await h.request(.get, "/api/v1/schedules/\(nightID)", token: admin.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/schedules/\(UUID().uuidString)/due?from=2026-12-04T15:30:00Z&minutes=1",
                                        token: admin.accessToken).status == 404)
        }
    }
}
