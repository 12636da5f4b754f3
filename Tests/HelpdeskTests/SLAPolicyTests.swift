import Foundation
import Testing

@Suite("SLA policies API")
struct SLAPolicyTests {
    @Test("admins keep SLA policies in order; conditions and targets are checked and named when wrong")
    func policies() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("sla-agent@example.com", by: admin)
            #expect(try await h.request(.get, "/api/v1/sla-policies", token: agent.accessToken).status == 403)
            let urgent = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Urgent", "conditions": [["field": "priority", "operator": "is", "value": "urgent"]],
                "targets": ["urgent": ["first_reply": 60, "resolution": 480]],
            ], token: admin.accessToken)
            #expect(urgent.status == 201, "\(urgent.text)")
            #expect(urgent.json["position"] as? Int == 0 && urgent.json["business_hours"] as? Bool == true)
            #expect(((urgent.json["targets"] as? [String: Any])?["urgent"] as? [String: Int])?["first_reply"] == 60)
            let vip = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "VIP", "conditions": [["field": "tag", "operator": "includes", "value": "vip"]],
                "targets": ["high": ["next_reply": 30]], "business_hours": false, "pauses_resolution": false,
            ], token: admin.accessToken)
            #expect(vip.json["position"] as? Int == 1, "after the last")
            let vipID = try #require(vip["id"])
            _ = try await h.request(.patch, "/api/v1/sla-policies/\(urgent["id"] ?? "")", json: ["position": 5], token: admin.accessToken)
            _ = try await h.request(.patch, "/api/v1/sla-policies/\(vipID)", json: ["name": "VIP first"], token: admin.accessToken)
            let list = try await h.request(.get, "/api/v1/sla-policies", token: admin.accessToken).items
            #expect(list.compactMap { $0["name"] as? String } == ["VIP first", "Urgent"], "tried in position order: \(list)")

            let bad = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Broken",
                "conditions": [["field": "mood", "operator": "is", "value": "x"], ["field": "tag", "operator": "is", "value": "vip"],
                               ["field": "priority", "operator": "near", "value": "high"]],
                "targets": ["urgent": ["first_reply": 0]],
            ], token: admin.accessToken)
            #expect(bad.status == 422)
            #expect(Set(bad.errorFields) == ["conditions[2].operator", "targets.urgent.first_reply"], "the shape first: \(bad.text)")
            let meaning = try await h.request(.post, "/api/v1/sla-policies", json: [
                "name": "Broken",
                "conditions": [["field": "mood", "operator": "is", "value": "x"], ["field": "tag", "operator": "is", "value": "vip"]],
                "targets": ["urgent": ["first_reply": 10]],
            ], token: admin.accessToken)
            #expect(Set(meaning.errorFields) == ["conditions[0].field", "conditions[1].operator"], "then the meaning: \(meaning.text)")
            let empty = try await h.request(.post, "/api/v1/sla-policies", json: ["name": "Nothing", "targets": [:] as [String: Any]],
                                            token: admin.accessToken)
            #expect(empty.status == 422 && empty.errorFields == ["targets"], "\(empty.text)")
            #expect(try await h.request(.get, "/api/v1/sla-policies", token: admin.accessToken).items.count == 2, "nothing written")
            #expect(try await h.request(.delete, "/api/v1/sla-policies/\(vipID)", token: admin.accessToken).status == 204)
            #expect(try await h.request(.get, "/api/v1/sla-policies/\(vipID)", token: admin.accessToken).status == 404)
        }
    }
}
