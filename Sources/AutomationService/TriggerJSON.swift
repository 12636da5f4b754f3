import Foundation
import HelpdeskCore

/// Triggers' conditions and actions as the API (and the store) write them:
/// `conditions: {all: [{field, operator, value}], any: [...]}`, `actions: [{action, field?, value?}]`.
enum TriggerJSON {
    static func conditions(_ t: Trigger) -> JSONValue {
        ["all": .array(t.all.map(condition)), "any": .array(t.any.map(condition))]
    }

    static func condition(_ c: TriggerCondition) -> JSONValue {
        ["field": .string(c.field), "operator": .string(c.op.rawValue),
         "value": c.hours.map(JSONValue.number) ?? c.value.map(JSONValue.string) ?? .null]
    }

    static func actions(_ t: Trigger) -> JSONValue {
        .array(t.actions.map { a in
            switch a {
            case .set(let field, let value): ["action": "set", "field": .string(field), "value": value]
            case .addTags(let tags): ["action": "add_tags", "value": .array(tags.map(JSONValue.string))]
            case .removeTags(let tags): ["action": "remove_tags", "value": .array(tags.map(JSONValue.string))]
            case .addFollower(let id): ["action": "add_follower", "value": .string(id.lowercased)]
            case .internalNote(let body): ["action": "internal_note", "value": .string(body)]
            }
        })
    }

    /// Parses `conditions`; each error names its place (`conditions.all[2].value`).
    static func parseConditions(_ value: JSONValue, kind: RuleKind = .trigger, errors: inout [FieldError])
        -> (all: [TriggerCondition], any: [TriggerCondition]) {
        guard case .object(let o) = value else {
            errors.append(FieldError(field: "conditions", message: "must be an object {all: [...], any: [...]}"))
            return ([], [])
        }
        for key in o.keys.sorted() where key != "all" && key != "any" {
            errors.append(FieldError(field: "conditions.\(key)", message: "is not a known field"))
        }
        func list(_ key: String) -> [TriggerCondition] {
            guard let raw = o[key], raw != .null else { return [] }
            guard case .array(let items) = raw, items.count <= 30 else {
                errors.append(FieldError(field: "conditions.\(key)", message: "must be a list of at most 30 conditions"))
                return []
            }
            return items.enumerated().compactMap { i, item in
                let at = "conditions.\(key)[\(i)]"
                guard case .object(let c) = item else { errors.append(FieldError(field: at, message: "must be an object")); return nil }
                for k in c.keys.sorted() where !["field", "operator", "value"].contains(k) {
                    errors.append(FieldError(field: "\(at).\(k)", message: "is not a known field"))
                }
                guard let field = c["field"]?.stringValue else { errors.append(FieldError(field: "\(at).field", message: "must be a string")); return nil }
                guard let op = c["operator"]?.stringValue.flatMap(TriggerCondition.Operator.init(rawValue:)) else {
                    errors.append(FieldError(field: "\(at).operator", message: "must be one of \(TriggerCondition.Operator.allCases.map(\.rawValue).joined(separator: ", "))"))
                    return nil
                }
                let value: String?
                switch c["value"] {
                case nil, .null?: value = nil
                case .string(let s)?: value = s
                case .bool(let b)?: value = b ? "true" : "false"
                case .number(let n)? where kind == .automation: value = n == n.rounded() && abs(n) < 1e9 ? String(Int(n)) : String(n)
                default: errors.append(FieldError(field: "\(at).value", message: "must be a string or null")); return nil
                }
                do { return try TriggerCondition(field: field, op: op, value: value, kind: kind) } catch let e as HelpdeskError {
                    errors += e.errors.map { FieldError(field: "\(at).\($0.field)", message: $0.message) }
                } catch {}
                return nil
            }
        }
        let parsed = (list("all"), list("any"))
        // Without a time condition an automation would act on every ticket on its first pass.
        if kind == .automation, errors.isEmpty, !parsed.0.contains(where: { $0.anchor != nil && $0.op == .greaterThan }) {
            errors.append(FieldError(field: "conditions.all", message: "needs an hours_since_… greater_than condition: an automation acts on tickets after some time"))
        }
        return parsed
    }

    /// Parses `actions`; each error names its place (`actions[0].value`).
    static func parseActions(_ value: JSONValue, errors: inout [FieldError]) -> [TriggerAction] {
        guard case .array(let items) = value, !items.isEmpty, items.count <= 20 else {
            errors.append(FieldError(field: "actions", message: "must be a list of 1 to 20 actions"))
            return []
        }
        return items.enumerated().compactMap { i, item in
            let at = "actions[\(i)]"
            guard case .object(let a) = item else { errors.append(FieldError(field: at, message: "must be an object")); return nil }
            for k in a.keys.sorted() where !["action", "field", "value"].contains(k) {
                errors.append(FieldError(field: "\(at).\(k)", message: "is not a known field"))
            }
            guard let name = a["action"]?.stringValue else { errors.append(FieldError(field: "\(at).action", message: "must be a string")); return nil }
            var field: String?
            if let raw = a["field"], raw != .null {
                guard let s = raw.stringValue else { errors.append(FieldError(field: "\(at).field", message: "must be a string")); return nil }
                field = s
            }
            do { return try TriggerAction(action: name, field: field, value: a["value"]) } catch let e as HelpdeskError {
                errors += e.errors.map { FieldError(field: "\(at).\($0.field)", message: $0.message) }
            } catch {}
            return nil
        }
    }
}

/// The API form of a trigger.
struct TriggerBody: Encodable {
    let trigger: Trigger

    func encode(to encoder: any Encoder) throws {
        let t = trigger
        let object: JSONValue = [
            "id": .string(t.id.lowercased), "name": .string(t.name), "position": .number(Double(t.position)),
            "active": .bool(t.active), "conditions": TriggerJSON.conditions(t), "actions": TriggerJSON.actions(t),
            "problems": .array(t.problems.map(JSONValue.string)),
        ]
        try object.encode(to: encoder)
    }
}

struct TriggerList: Encodable {
    let items: [TriggerBody]
    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encodeNil(forKey: .nextCursor)
    }
}
