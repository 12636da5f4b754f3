import Foundation
import HelpdeskCore
import Platform

/// What a create or update of an SLA policy asks for; nil leaves a field alone on update.
public struct SLAPolicyInput: Sendable {
    public var name: String?
    public var position: Int?
    public var conditions: [(field: String, op: String, value: String)]?
    public var targets: [String: [String: Int]]?
    public var businessHours: Bool?
    public var pausesResolution: Bool?
    public init() {}
}

/// Admins keep the workspace's SLA policies; tickets get the first that matches (by position).
public struct SLAPolicies: Sendable {
    let database: Database
    let store: SLAPolicyStore
    let clock: TimeSource
    static let limit = 100
    static let priorities = ["low", "normal", "high", "urgent"]

    public func list(_ p: Principal) async throws -> [SLAPolicy] {
        try p.require(.admin)
        return try await store.policies(workspaceID: p.workspaceID, on: database.sql)
    }

    public func get(_ p: Principal, id: UUID) async throws -> SLAPolicy {
        try p.require(.admin)
        guard let policy = try await store.policy(workspaceID: p.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("SLA policy")
        }
        return policy
    }

    public func create(_ p: Principal, _ input: SLAPolicyInput) async throws -> SLAPolicy {
        try p.require(.admin)
        var errors: [FieldError] = []
        if input.name == nil { errors.append(FieldError(field: "name", message: "is required")) }
        if input.targets == nil { errors.append(FieldError(field: "targets", message: "is required")) }
        var policy = SLAPolicy(id: UUIDv7.make(at: clock.now), name: "", conditions: [], targets: [:], businessHours: true,
                               pausesResolution: true, position: 0)
        apply(input, to: &policy, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let now = clock.now
        let draft = policy
        return try await database.transaction { [store] db in
            let existing = try await store.policies(workspaceID: p.workspaceID, on: db)
            if existing.count >= Self.limit {
                throw HelpdeskError.conflict(code: "too_many_policies", "A workspace holds at most \(Self.limit) SLA policies.")
            }
            var created = draft
            if input.position == nil { created.position = min((existing.map(\.position).max() ?? -1) + 1, 10_000) }
            try await store.insert(created, workspaceID: p.workspaceID, at: now, on: db)
            try await Outbox.append(Self.event("sla_policy.created", created, p, now), on: db)
            return created
        }
    }

    public func update(_ p: Principal, id: UUID, _ input: SLAPolicyInput) async throws -> SLAPolicy {
        var policy = try await get(p, id: id)
        var errors: [FieldError] = []
        apply(input, to: &policy, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let now = clock.now
        let updated = policy
        try await database.transaction { [store] db in
            try await store.update(updated, workspaceID: p.workspaceID, at: now, on: db)
            try await Outbox.append(Self.event("sla_policy.updated", updated, p, now), on: db)
        }
        return updated
    }

    public func delete(_ p: Principal, id: UUID) async throws {
        let policy = try await get(p, id: id)
        let now = clock.now
        try await database.transaction { [store] db in
            try await store.delete(workspaceID: p.workspaceID, id: id, on: db)
            try await Outbox.append(Self.event("sla_policy.deleted", policy, p, now), on: db)
        }
    }

    func apply(_ input: SLAPolicyInput, to policy: inout SLAPolicy, errors: inout [FieldError]) {
        if let name = input.name, let valid = Schedules.name(name, errors: &errors) { policy.name = valid }
        if let position = input.position {
            if (0...10_000).contains(position) { policy.position = position } else {
                errors.append(FieldError(field: "position", message: "must be 0 to 10000"))
            }
        }
        if let conditions = input.conditions {
            if conditions.count > 20 { errors.append(FieldError(field: "conditions", message: "must hold at most 20 conditions")) }
            var parsed: [SLACondition] = []
            for (i, c) in conditions.prefix(20).enumerated() {
                guard let op = SLACondition.Operator(rawValue: c.op) else {
                    errors.append(FieldError(field: "conditions[\(i)].operator", message: "must be is, is_not, includes or excludes"))
                    continue
                }
                if c.value.isEmpty || c.value.textLength > 200 {
                    errors.append(FieldError(field: "conditions[\(i)].value", message: "must be 1 to 200 characters")); continue
                }
                do { parsed.append(try SLACondition(field: c.field, op: op, value: c.value)) } catch let error as HelpdeskError {
                    errors += error.errors.map { FieldError(field: "conditions[\(i)].\($0.field)", message: $0.message) }
                } catch {}
            }
            policy.conditions = parsed
        }
        if let targets = input.targets {
            var parsed: [String: [SLAMetric: Int]] = [:]
            for (priority, metrics) in targets.sorted(by: { $0.key < $1.key }) {
                guard Self.priorities.contains(priority) else {
                    errors.append(FieldError(field: "targets.\(priority)", message: "is not a priority (low, normal, high, urgent)")); continue
                }
                for (name, minutes) in metrics.sorted(by: { $0.key < $1.key }) {
                    guard let metric = SLAMetric(rawValue: name) else {
                        errors.append(FieldError(field: "targets.\(priority).\(name)", message: "is not a metric (first_reply, next_reply, periodic_update, resolution)"))
                        continue
                    }
                    guard (1...525_600).contains(minutes) else {
                        errors.append(FieldError(field: "targets.\(priority).\(name)", message: "must be 1 to 525600 minutes")); continue
                    }
                    parsed[priority, default: [:]][metric] = minutes
                }
            }
            if parsed.isEmpty && errors.isEmpty { errors.append(FieldError(field: "targets", message: "must set at least one target")) }
            policy.targets = parsed
        }
        if let business = input.businessHours { policy.businessHours = business }
        if let pauses = input.pausesResolution { policy.pausesResolution = pauses }
    }

    static func event(_ type: String, _ policy: SLAPolicy, _ p: Principal, _ at: Date) -> EventEnvelope {
        EventEnvelope(type: type, workspaceID: p.workspaceID, actor: p.actor,
                      subject: EventSubject(type: "sla_policy", id: policy.id), occurredAt: at,
                      data: .object(["name": .string(policy.name)]))
    }
}

/// The API form of a policy.
struct SLAPolicyJSON: Encodable {
    let policy: SLAPolicy

    enum CodingKeys: String, CodingKey {
        case id, name, position, conditions, targets
        case businessHours = "business_hours"
        case pausesResolution = "pauses_resolution"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy.id.lowercased, forKey: .id)
        try c.encode(policy.name, forKey: .name)
        try c.encode(policy.position, forKey: .position)
        try c.encode(policy.conditions.map { ["field": $0.field, "operator": $0.op.rawValue, "value": $0.value] }, forKey: .conditions)
        try c.encode(policy.targets.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }, forKey: .targets)
        try c.encode(policy.businessHours, forKey: .businessHours)
        try c.encode(policy.pausesResolution, forKey: .pausesResolution)
    }
}

struct SLAPolicyList: Encodable {
    let items: [SLAPolicyJSON]
}
