import Foundation
import HelpdeskCore

/// Triggers run on ticket events; time-based automations on a schedule over tickets as they are.
public enum RuleKind: String, Sendable, CaseIterable {
    case trigger, automation

    /// The API's plural (`triggers`, `automations`): the route, the conflict code.
    var plural: String { rawValue + "s" }
}

/// A rule: when all of `all` and (if any are given) one of `any` hold, its actions run. A trigger looks at a ticket
/// event, a time-based automation (`kind` automation) at a ticket on its hourly pass. Rules run in `position` order.
public struct Trigger: Sendable, Equatable {
    public let id: UUID
    public var kind: RuleKind = .trigger
    public var name: String
    public var all: [TriggerCondition]
    public var any: [TriggerCondition]
    public var actions: [TriggerAction]
    public var active: Bool
    public var position: Int
    /// Why a stored rule no longer reads as valid (a part the service stopped accepting); such a trigger is shown
    /// as broken and never runs, since running it with that part left out could fire it far too widely.
    public var problems: [String] = []

    public init(id: UUID, kind: RuleKind = .trigger, name: String, all: [TriggerCondition], any: [TriggerCondition] = [],
                actions: [TriggerAction], active: Bool = true, position: Int) {
        self.id = id
        self.kind = kind
        self.name = name
        self.all = all
        self.any = any
        self.actions = actions
        self.active = active
        self.position = position
    }

    /// The first condition that keeps the trigger from firing, as the run log names it; nil when it fires.
    public func failingCondition(in c: TriggerContext) -> String? {
        if let failed = all.first(where: { !$0.holds(in: c) }) { return failed.description }
        if !any.isEmpty, !any.contains(where: { $0.holds(in: c) }) {
            return "none of: " + any.map(\.description).joined(separator: "; ")
        }
        return nil
    }
}

/// What happened to one trigger in a cycle: fired (with what it changed) or not (and why).
public struct TriggerRunEntry: Sendable, Equatable {
    public let triggerID: UUID
    public let name: String
    public let fired: Bool
    /// Why it did not fire: its first failing condition.
    public let failedCondition: String?
    /// What its actions changed, in order (`priority: normal → high`).
    public let changes: [String]
}

/// The outcome of running the triggers over one event: the log, and the actions to send to the tickets service.
public struct TriggerCycleResult: Sendable, Equatable {
    public var entries: [TriggerRunEntry] = []
    /// The fired triggers' actions, in firing order.
    public var actions: [(triggerID: UUID, action: TriggerAction)] = []
    /// Set when the cycle stopped because triggers kept firing each other.
    public var stoppedTooDeep = false

    public static func == (a: Self, b: Self) -> Bool {
        a.entries == b.entries && a.stoppedTooDeep == b.stoppedTooDeep
            && a.actions.map(\.triggerID) == b.actions.map(\.triggerID) && a.actions.map(\.action) == b.actions.map(\.action)
    }
}

/// Runs triggers the way Zendesk does: in order; when one fires, its changes are applied to the ticket and the
/// pass starts again from the top, so a later trigger sees an earlier one's change and an earlier one sees a later
/// one's. Each trigger fires at most once per event, so a trigger's own change never re-fires it; after
/// `maximumChain` firings the cycle stops (the caller records it). Pure.
public enum TriggerCycle {
    public static let maximumChain = 10

    public static func run(_ triggers: [Trigger], on context: TriggerContext) -> TriggerCycleResult {
        let ordered = triggers.filter { $0.active && $0.problems.isEmpty }.sorted { ($0.position, $0.id.lowercased) < ($1.position, $1.id.lowercased) }
        var c = context
        var result = TriggerCycleResult()
        var fired: [UUID: [String]] = [:]
        var firstFailure: [UUID: String] = [:]
        var pass = true
        while pass {
            pass = false
            for trigger in ordered where fired[trigger.id] == nil {
                if let failed = trigger.failingCondition(in: c) {
                    if firstFailure[trigger.id] == nil { firstFailure[trigger.id] = failed }
                    continue
                }
                if fired.count == maximumChain { result.stoppedTooDeep = true; break }
                var changes: [String] = []
                for action in trigger.actions {
                    changes += action.apply(to: &c)
                    result.actions.append((trigger.id, action))
                }
                fired[trigger.id] = changes
                // A change may make an earlier trigger's conditions hold: start the pass again.
                if !changes.isEmpty { pass = true; break }
            }
        }
        result.entries = ordered.map { t in
            if let changes = fired[t.id] {
                return TriggerRunEntry(triggerID: t.id, name: t.name, fired: true, failedCondition: nil, changes: changes)
            }
            // Its conditions hold on the final ticket only if the cycle stopped before reaching it.
            let why = t.failingCondition(in: c)
                ?? (result.stoppedTooDeep ? "not run: more than \(maximumChain) triggers fired for this event" : firstFailure[t.id])
            return TriggerRunEntry(triggerID: t.id, name: t.name, fired: false, failedCondition: why, changes: [])
        }
        return result
    }
}
