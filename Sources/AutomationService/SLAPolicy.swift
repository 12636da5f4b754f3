import Foundation
import HelpdeskCore

/// What an SLA promises: per priority, how long each metric may take, in business or calendar hours.
public struct SLAPolicy: Sendable, Equatable {
    public let id: UUID
    public var name: String
    /// Conditions all of which a ticket must meet; the first policy (by `position`) whose conditions match applies.
    public var conditions: [SLACondition]
    /// priority (`low`, `normal`, `high`, `urgent`) → metric → minutes.
    public var targets: [String: [SLAMetric: Int]]
    /// Business hours on the ticket's schedule, else the clock on the wall.
    public var businessHours: Bool
    /// Whether pending and on-hold stop the resolution clock.
    public var pausesResolution: Bool
    public var position: Int

    public init(id: UUID, name: String, conditions: [SLACondition], targets: [String: [SLAMetric: Int]],
                businessHours: Bool, pausesResolution: Bool = true, position: Int) {
        self.id = id
        self.name = name
        self.conditions = conditions
        self.targets = targets
        self.businessHours = businessHours
        self.pausesResolution = pausesResolution
        self.position = position
    }

    /// The policy that applies to a ticket: the first, by position, whose conditions all hold.
    public static func first(_ policies: [SLAPolicy], matching ticket: SLATicketFacts) -> SLAPolicy? {
        policies.sorted { ($0.position, $0.id.lowercased) < ($1.position, $1.id.lowercased) }
            .first { $0.conditions.allSatisfy { $0.holds(for: ticket) } }
    }
}

/// The clocks an SLA runs.
public enum SLAMetric: String, Sendable, CaseIterable, Codable, Comparable {
    /// From creation to the first public reply by staff.
    case firstReply = "first_reply"
    /// From a customer's message waiting for an answer to staff's next public reply.
    case nextReply = "next_reply"
    /// From staff's last public reply to their next one, while the ticket is not solved.
    case periodicUpdate = "periodic_update"
    /// From creation to solved, less the time pending or on hold when the policy pauses it.
    case resolution

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What policy conditions look at on a ticket.
public struct SLATicketFacts: Sendable, Equatable {
    public var priority: String
    public var type: String?
    public var teamID: UUID?
    public var organizationID: UUID?
    public var tags: [String]
    public var channel: String
    public var customFields: [String: JSONValue]

    public init(priority: String, type: String? = nil, teamID: UUID? = nil, organizationID: UUID? = nil, tags: [String] = [],
                channel: String = "api", customFields: [String: JSONValue] = [:]) {
        self.priority = priority
        self.type = type
        self.teamID = teamID
        self.organizationID = organizationID
        self.tags = tags
        self.channel = channel
        self.customFields = customFields
    }
}

/// One condition of a policy: `priority is urgent`, `tag includes vip`, `custom_fields.plan is gold`.
public struct SLACondition: Sendable, Equatable {
    public enum Operator: String, Sendable, CaseIterable {
        case `is`, isNot = "is_not", includes, excludes
    }
    public static let fields = ["priority", "type", "team_id", "organization_id", "tag", "channel"]

    public let field: String
    public let op: Operator
    public let value: String

    /// Checks the shape: a known field (or `custom_fields.<key>`), and `includes`/`excludes` only for tags.
    public init(field: String, op: Operator, value: String) throws {
        let known = Self.fields.contains(field) || (field.hasPrefix("custom_fields.") && field.count > 14)
        guard known else { throw HelpdeskError.validation(field: "field", "must be one of \(Self.fields.joined(separator: ", ")) or custom_fields.<key>") }
        if field == "tag" ? (op == .is || op == .isNot) : (op == .includes || op == .excludes) {
            throw HelpdeskError.validation(field: "operator", field == "tag" ? "tags take includes or excludes" : "\(field) takes is or is_not")
        }
        self.field = field
        self.op = op
        self.value = value
    }

    public func holds(for t: SLATicketFacts) -> Bool {
        let actual: String? = switch field {
        case "priority": t.priority
        case "type": t.type
        case "team_id": t.teamID?.lowercased
        case "organization_id": t.organizationID?.lowercased
        case "channel": t.channel
        case "tag": nil
        default: t.customFields[String(field.dropFirst(14))].flatMap(Self.text)
        }
        switch op {
        case .is: return actual == value
        case .isNot: return actual != value
        case .includes: return t.tags.contains(value)
        case .excludes: return !t.tags.contains(value)
        }
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: nil
        }
    }
}
