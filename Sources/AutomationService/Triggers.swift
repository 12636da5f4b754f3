import Foundation
import HelpdeskCore
import Platform

/// What a create or update of a trigger asks for; nil leaves a field alone on update.
public struct TriggerInput: Sendable {
    public var name: String?
    public var position: Int?
    public var active: Bool?
    /// `{all: [...], any: [...]}`, parsed here so every error names its place.
    public var conditions: JSONValue?
    public var actions: JSONValue?
    public init() {}
}

/// Admins keep the workspace's triggers, which run in position order on every ticket event, and its time-based
/// automations (the same rules, `kind` automation, run by `AutomationPass`).
public struct Triggers: Sendable {
    let database: Database
    let store: TriggerStore
    let clock: TimeSource
    var kind: RuleKind = .trigger
    static let limit = 500

    public func list(_ p: Principal) async throws -> [Trigger] {
        try p.require(.admin)
        return try await store.triggers(workspaceID: p.workspaceID, kind: kind, on: database.sql)
    }

    public func get(_ p: Principal, id: UUID) async throws -> Trigger {
        try p.require(.admin)
        guard let trigger = try await store.trigger(workspaceID: p.workspaceID, id: id, on: database.sql), trigger.kind == kind else {
            throw HelpdeskError.notFound(kind.rawValue)
        }
        return trigger
    }

    public func create(_ p: Principal, _ input: TriggerInput) async throws -> Trigger {
        try p.require(.admin)
        var errors: [FieldError] = []
        for (field, missing) in [("name", input.name == nil), ("conditions", input.conditions == nil), ("actions", input.actions == nil)] where missing {
            errors.append(FieldError(field: field, message: "is required"))
        }
        var trigger = Trigger(id: UUIDv7.make(at: clock.now), kind: kind, name: "", all: [], actions: [], position: 0)
        apply(input, to: &trigger, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let now = clock.now
        let draft = trigger
        return try await database.transaction { [store, kind] db in
            let existing = try await store.triggers(workspaceID: p.workspaceID, kind: kind, on: db)
            if existing.count >= Self.limit {
                throw HelpdeskError.conflict(code: "too_many_\(kind.plural)", "A workspace holds at most \(Self.limit) \(kind.plural).")
            }
            var created = draft
            if input.position == nil { created.position = min((existing.map(\.position).max() ?? -1) + 1, 10_000) }
            try await store.insert(created, workspaceID: p.workspaceID, at: now, on: db)
            try await Outbox.append(Self.event("\(kind.rawValue).created", created, p, now), on: db)
            return created
        }
    }

    public func update(_ p: Principal, id: UUID, _ input: TriggerInput) async throws -> Trigger {
        var trigger = try await get(p, id: id)
        var errors: [FieldError] = []
        // Saving a broken rule as read would store it without its unreadable part: it must be written again whole.
        if !trigger.problems.isEmpty, input.conditions == nil || input.actions == nil {
            errors.append(FieldError(field: input.conditions == nil ? "conditions" : "actions",
                                     message: "this \(kind.rawValue) is broken (\(trigger.problems.joined(separator: "; "))): send its conditions and actions again"))
        }
        apply(input, to: &trigger, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let now = clock.now
        let updated = trigger
        try await database.transaction { [store] db in
            try await store.update(updated, workspaceID: p.workspaceID, at: now, on: db)
            try await Outbox.append(Self.event("\(updated.kind.rawValue).updated", updated, p, now), on: db)
        }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        let trigger = try await get(p, id: id)
        let now = clock.now
        try await database.transaction { [store] db in
            try await store.delete(workspaceID: p.workspaceID, id: id, on: db)
            try await Outbox.append(Self.event("\(trigger.kind.rawValue).deleted", trigger, p, now), on: db)
        }
    }

    func apply(_ input: TriggerInput, to trigger: inout Trigger, errors: inout [FieldError]) {
        if let name = input.name, let valid = Schedules.name(name, errors: &errors) { trigger.name = valid }
        if let position = input.position {
            if (0...10_000).contains(position) { trigger.position = position } else {
                errors.append(FieldError(field: "position", message: "must be 0 to 10000"))
            }
        }
        if let active = input.active { trigger.active = active }
        if let conditions = input.conditions {
            let parsed = TriggerJSON.parseConditions(conditions, kind: kind, errors: &errors)
            trigger.all = parsed.all
            trigger.any = parsed.any
        }
        if let actions = input.actions { trigger.actions = TriggerJSON.parseActions(actions, errors: &errors) }
        if input.conditions != nil, input.actions != nil { trigger.problems = [] }
    }

    static func event(_ type: String, _ trigger: Trigger, _ p: Principal, _ at: Date) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: p.workspaceID, actor: p.actor,
                      subject: EventSubject(type: trigger.kind.rawValue, id: trigger.id), occurredAt: at,
                      data: .object(["name": .string(trigger.name)]))
    }
}
