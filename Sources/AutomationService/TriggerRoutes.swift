import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/triggers` and `/api/v1/automations` (admins).
struct TriggerRoutes {
    let triggers: Triggers

    func add(to routes: Routes) {
        routes.get { _, context in
            let p = try context.require(.admin)
            return try .json(TriggerList(items: try await triggers.list(p).map(TriggerBody.init)))
        }
        routes.post { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(TriggerBody(trigger: try await triggers.create(p, input)), status: .created)
        }
        routes.get(":id") { _, context in
            let p = try context.require(.admin)
            return try .json(TriggerBody(trigger: try await triggers.get(p, id: try context.parameters.uuid("id", what: triggers.kind.rawValue))))
        }
        routes.patch(":id") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: triggers.kind.rawValue)
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(TriggerBody(trigger: try await triggers.update(p, id: id, input)))
        }
        routes.delete(":id") { _, context in
            let p = try context.require(.admin)
            try await triggers.delete(p, id: try context.parameters.uuid("id", what: triggers.kind.rawValue))
            return Response(status: .noContent)
        }
    }

    static let fields: Set<String> = ["name", "position", "active", "conditions", "actions"]

    static func input(_ body: inout JSONBody) -> TriggerInput {
        var input = TriggerInput()
        input.name = body.string("name")
        input.active = body.bool("active")
        if let value = body.object["position"] {
            if case .number(let n) = value, n == n.rounded(), abs(n) < 1e9 { input.position = Int(n) } else {
                body.fail("position", "must be an integer")
            }
        }
        input.conditions = body.object["conditions"]
        input.actions = body.object["actions"]
        return input
    }
}
