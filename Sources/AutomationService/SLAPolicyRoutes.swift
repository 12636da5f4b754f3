import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/sla-policies`.
struct SLAPolicyRoutes {
    let policies: SLAPolicies

    func add(to routes: Routes) {
        routes.get { _, context in
            let p = try context.require(.admin)
            return try .json(SLAPolicyList(items: try await policies.list(p).map(SLAPolicyJSON.init)))
        }
        routes.post { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(SLAPolicyJSON(policy: try await policies.create(p, input)), status: .created)
        }
        routes.get(":id") { _, context in
            let p = try context.require(.admin)
            return try .json(SLAPolicyJSON(policy: try await policies.get(p, id: try context.parameters.uuid("id", what: "SLA policy"))))
        }
        routes.patch(":id") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "SLA policy")
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(SLAPolicyJSON(policy: try await policies.update(p, id: id, input)))
        }
        routes.delete(":id") { _, context in
            let p = try context.require(.admin)
            try await policies.delete(p, id: try context.parameters.uuid("id", what: "SLA policy"))
            return Response(status: .noContent)
        }
    }

    static let fields: Set<String> = ["name", "position", "conditions", "targets", "business_hours", "pauses_resolution"]

    static func input(_ body: inout JSONBody) -> SLAPolicyInput {
        var input = SLAPolicyInput()
        input.name = body.string("name")
        input.businessHours = body.bool("business_hours")
        input.pausesResolution = body.bool("pauses_resolution")
        if let value = body.object["position"] {
            if case .number(let n) = value, n == n.rounded(), abs(n) < 1e9 { input.position = Int(n) } else {
                body.fail("position", "must be an integer")
            }
        }
        if let value = body.object["conditions"] {
            if case .array(let items) = value {
                var conditions: [(String, String, String)] = []
                for (i, item) in items.enumerated() {
                    guard case .object(let o) = item else { body.fail("conditions[\(i)]", "must be an object"); continue }
                    for key in o.keys.sorted() where !["field", "operator", "value"].contains(key) {
                        body.fail("conditions[\(i)].\(key)", "is not a known field")
                    }
                    var parts: [String] = []
                    for key in ["field", "operator", "value"] {
                        if case .string(let s)? = o[key] { parts.append(s) } else { body.fail("conditions[\(i)].\(key)", "must be a string") }
                    }
                    if parts.count == 3 { conditions.append((parts[0], parts[1], parts[2])) }
                }
                input.conditions = conditions
            } else {
                body.fail("conditions", "must be an array of {field, operator, value}")
            }
        }
        if let value = body.object["targets"] {
            if case .object(let byPriority) = value {
                var targets: [String: [String: Int]] = [:]
                for (priority, metrics) in byPriority {
                    guard case .object(let m) = metrics else { body.fail("targets.\(priority)", "must be an object of minutes by metric"); continue }
                    for (metric, minutes) in m {
                        if case .number(let n) = minutes, n == n.rounded(), abs(n) < 1e9 { targets[priority, default: [:]][metric] = Int(n) } else {
                            body.fail("targets.\(priority).\(metric)", "must be a whole number of minutes")
                        }
                    }
                }
                input.targets = targets
            } else {
                body.fail("targets", "must be an object: {priority: {metric: minutes}}")
            }
        }
        return input
    }
}
