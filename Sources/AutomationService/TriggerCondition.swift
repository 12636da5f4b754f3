import Foundation
import HelpdeskCore

/// What a trigger's conditions look at: the event that happened and the ticket as it is after it.
public struct TriggerContext: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case created, updated, commentAdded = "comment_added"
        /// A time-based automation's hourly look at the ticket (no event).
        case timed
    }

    public var kind: Kind
    /// `customer`, `agent`, `admin` or `system` (a trigger's own change, a background job).
    public var actorRole: String
    /// The ticket after the event.
    public var ticket: TriggerTicket {
        didSet { if ticket.subject != oldValue.subject { foldedSubject = TriggerCondition.fold(ticket.subject) } }
    }
    /// Fields the event changed (`status`, `priority`, `tags`, `custom_fields.<key>`…) with their old and new values.
    public var changes: [String: (from: JSONValue, to: JSONValue)]
    /// The comment the event added (the description on creation): its text and whether it is public.
    public var comment: (body: String, isPublic: Bool)? { didSet { foldedComment = comment.map { TriggerCondition.fold($0.body) } } }
    /// Subject and comment folded once per event: fifty triggers looking for words would fold them fifty times.
    private(set) var foldedSubject: String
    private(set) var foldedComment: String?
    /// Whether the event happened within the workspace's business hours (nil: no schedule, always within).
    public var withinBusinessHours: Bool
    /// For time-based automations: hours since each anchor (`created`, `solved`…) that applies to the ticket now.
    public var hoursSince: [String: Double] = [:]
    /// For time-based automations: the ticket's SLA state, `breached`, `at_risk` or `ok`.
    public var sla = "ok"

    public init(kind: Kind, actorRole: String, ticket: TriggerTicket, changes: [String: (from: JSONValue, to: JSONValue)] = [:],
                comment: (body: String, isPublic: Bool)? = nil, withinBusinessHours: Bool = true) {
        self.kind = kind
        self.actorRole = actorRole
        self.ticket = ticket
        self.changes = changes
        self.comment = comment
        foldedSubject = TriggerCondition.fold(ticket.subject)
        foldedComment = comment.map { TriggerCondition.fold($0.body) }
        self.withinBusinessHours = withinBusinessHours
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.actorRole == b.actorRole && a.ticket == b.ticket && a.withinBusinessHours == b.withinBusinessHours
            && a.hoursSince == b.hoursSince && a.sla == b.sla
            && a.comment?.body == b.comment?.body && a.comment?.isPublic == b.comment?.isPublic
            && a.changes.keys.sorted() == b.changes.keys.sorted()
            && a.changes.allSatisfy { key, change in b.changes[key].map { $0.from == change.from && $0.to == change.to } ?? false }
    }
}

/// The ticket fields triggers read and set.
public struct TriggerTicket: Sendable, Equatable {
    public var subject: String
    public var status: String
    public var priority: String
    public var type: String?
    public var assigneeID: UUID?
    public var teamID: UUID?
    public var organizationID: UUID?
    public var requesterID: UUID?
    public var tags: [String]
    public var channel: String
    public var customFields: [String: JSONValue]

    public init(subject: String = "", status: String = "new", priority: String = "normal", type: String? = nil,
                assigneeID: UUID? = nil, teamID: UUID? = nil, organizationID: UUID? = nil, requesterID: UUID? = nil,
                tags: [String] = [], channel: String = "api", customFields: [String: JSONValue] = [:]) {
        self.subject = subject
        self.status = status
        self.priority = priority
        self.type = type
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.organizationID = organizationID
        self.requesterID = requesterID
        self.tags = tags
        self.channel = channel
        self.customFields = customFields
    }

    /// The current value of a field by its API name, as text (nil: empty).
    func value(_ field: String) -> String? {
        switch field {
        case "subject": subject
        case "status": status
        case "priority": priority
        case "type": type
        case "assignee_id": assigneeID?.lowercased
        case "team_id": teamID?.lowercased
        case "organization_id": organizationID?.lowercased
        case "channel": channel
        default: field.hasPrefix("custom_fields.") ? customFields[String(field.dropFirst(14))].flatMap(SLACondition.text) : nil
        }
    }
}

/// One condition of a trigger: `event is comment_added`, `actor is customer`, `comment contains refund`,
/// `priority changed_to urgent`, `status changed_from solved`, `tag includes vip`, `business_hours is false`.
public struct TriggerCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case `is`, isNot = "is_not", changed, notChanged = "not_changed", changedTo = "changed_to", changedFrom = "changed_from"
        case includes, excludes, contains, notContains = "not_contains"
        case greaterThan = "greater_than", lessThan = "less_than"
    }

    /// The times a time-based automation measures hours from. `solved`, `pending` and `on_hold` count from when the
    /// ticket entered that status and hold only while it is in it; `assigned` only while it has an assignee.
    static let anchors = ["created", "updated", "solved", "pending", "on_hold", "assigned", "requester_replied", "agent_replied"]

    /// Fields with the operators each takes and the values they accept (nil: any text), per kind of rule.
    static func vocabulary(_ kind: RuleKind) -> [String: (ops: Set<Operator>, values: Set<String>?)] {
        kind == .trigger ? triggerVocabulary : automationVocabulary
    }

    /// Time-based automations look at the ticket as it is (no event, no changes) and at time.
    static let automationVocabulary: [String: (ops: Set<Operator>, values: Set<String>?)] = {
        var v = triggerVocabulary.filter { ["channel", "status", "priority", "type", "assignee_id", "team_id", "organization_id", "tag",
                                             "subject"].contains($0.key) }
        for (key, rule) in v where rule.ops.contains(.changed) { v[key] = ([.is, .isNot], rule.values) }
        for anchor in anchors { v["hours_since_\(anchor)"] = ([.greaterThan, .lessThan], nil) }
        v["sla"] = ([.is, .isNot], ["breached", "at_risk", "ok"])
        return v
    }()

    static let triggerVocabulary: [String: (ops: Set<Operator>, values: Set<String>?)] = {
        let field: Set<Operator> = [.is, .isNot, .changed, .notChanged, .changedTo, .changedFrom]
        return [
            "event": ([.is, .isNot], Set(TriggerContext.Kind.allCases.filter { $0 != .timed }.map(\.rawValue))),
            "actor": ([.is, .isNot], ["customer", "agent", "admin", "staff", "system"]),
            "channel": ([.is, .isNot], ["web", "email", "api"]),
            "status": (field, ["new", "open", "pending", "on_hold", "solved", "closed"]),
            "priority": (field, ["low", "normal", "high", "urgent"]),
            "type": (field, ["question", "incident", "problem", "task"]),
            "assignee_id": (field, nil), "team_id": (field, nil), "organization_id": ([.is, .isNot], nil),
            "tag": ([.includes, .excludes], nil),
            "subject": ([.contains, .notContains], nil),
            "comment": ([.contains, .notContains], nil),
            "comment_public": ([.is], ["true", "false"]),
            "business_hours": ([.is], ["true", "false"]),
        ]
    }()

    public let field: String
    public let op: Operator
    /// Nil for `changed` / `not_changed`, and for "is empty" (`assignee_id is null`).
    public let value: String?

    /// Checks the shape; each error names `field`, `operator` or `value` (the caller prefixes the position).
    public init(field: String, op: Operator, value: String?, kind: RuleKind = .trigger) throws {
        let custom = field.hasPrefix("custom_fields.") && field.count > 14
        let vocabulary = Self.vocabulary(kind)
        let customOps: Set<Operator> = kind == .trigger ? [.is, .isNot, .changed, .notChanged, .changedTo, .changedFrom] : [.is, .isNot]
        guard let rule = vocabulary[field] ?? (custom ? (customOps, nil) : nil) else {
            throw HelpdeskError.validation(field: "field", "must be one of \(vocabulary.keys.sorted().joined(separator: ", ")) or custom_fields.<key>")
        }
        guard rule.ops.contains(op) else {
            throw HelpdeskError.validation(field: "operator", "\(field) takes \(rule.ops.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        let needsValue = op != .changed && op != .notChanged
        let nullable = ["assignee_id", "team_id", "organization_id", "type"].contains(field) || custom
        if needsValue {
            if value == nil, !(nullable && (op == .is || op == .isNot || op == .changedTo || op == .changedFrom)) {
                throw HelpdeskError.validation(field: "value", "is required")
            }
            if let value {
                if let values = rule.values, !values.contains(value) {
                    throw HelpdeskError.validation(field: "value", "must be one of \(values.sorted().joined(separator: ", "))")
                }
                if op == .greaterThan || op == .lessThan {
                    guard let hours = Double(value), hours.isFinite, hours >= 0, hours <= 24 * 365 * 5 else {
                        throw HelpdeskError.validation(field: "value", "must be a number of hours from 0 to 43800 (0.5 is 30 minutes)")
                    }
                }
                if field.hasSuffix("_id"), UUID(uuidString: value) == nil {
                    throw HelpdeskError.validation(field: "value", "must be a UUID")
                }
                if value.trimmingCharacters(in: .whitespaces).isEmpty || value.textLength > 500 {
                    throw HelpdeskError.validation(field: "value", "must be 1 to 500 characters")
                }
            }
        } else if value != nil {
            throw HelpdeskError.validation(field: "value", "\(op.rawValue) takes no value")
        }
        self.field = field
        self.op = op
        self.value = field.hasSuffix("_id") ? value?.lowercased() : value
        foldedValue = Self.fold(value ?? "")
        hours = op == .greaterThan || op == .lessThan ? Double(value ?? "") : nil
    }

    /// The number of hours of `hours_since_… greater_than|less_than N`.
    let hours: Double?

    /// The anchor of an `hours_since_…` condition (`solved`), nil for other fields.
    var anchor: String? { field.hasPrefix("hours_since_") ? String(field.dropFirst(12)) : nil }

    /// The value as text conditions compare it (folded once, when the rule is read).
    let foldedValue: String

    /// How the run log names it: `priority changed_to urgent`.
    public var description: String { [field, op.rawValue, value].compactMap { $0 }.joined(separator: " ") }

    public func holds(in c: TriggerContext) -> Bool {
        switch field {
        case "event": return (c.kind.rawValue == value) == (op == .is)
        case "actor":
            let matches = value == "staff" ? (c.actorRole == "agent" || c.actorRole == "admin") : c.actorRole == value
            return matches == (op == .is)
        case "tag":
            let has = c.ticket.tags.contains(value ?? "")
            return op == .includes ? has : !has
        case "subject": return c.foldedSubject.contains(foldedValue) == (op == .contains)
        case "comment":
            guard let comment = c.foldedComment else { return op == .notContains }
            return comment.contains(foldedValue) == (op == .contains)
        case "comment_public":
            guard let comment = c.comment else { return false }
            return comment.isPublic == (value == "true")
        case "business_hours": return c.withinBusinessHours == (value == "true")
        case "sla": return (c.sla == value) == (op == .is)
        default: break
        }
        let change = c.changes[field]
        switch op {
        case .is: return c.ticket.value(field) == value
        case .isNot: return c.ticket.value(field) != value
        case .changed: return change != nil
        case .notChanged: return change == nil
        case .changedTo: return change.map { SLACondition.text($0.to) == value } ?? false
        case .changedFrom: return change.map { SLACondition.text($0.from) == value } ?? false
        case .greaterThan, .lessThan:
            // An anchor that does not apply (not solved, no assignee) holds neither way.
            guard let anchor, let elapsed = c.hoursSince[anchor], let hours else { return false }
            return op == .greaterThan ? elapsed >= hours : elapsed < hours
        default: return false
        }
    }

    /// Case- and accent-insensitive substring: `Remboursement` contains `rembourse`, `REFUND` contains `refund`.
    static func fold(_ s: String) -> String { s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil) }
}
