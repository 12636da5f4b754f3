/// Where a ticket is in its life: `new → open → pending | on_hold → solved → closed`.
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new, open, pending
    case onHold = "on_hold"
    case solved, closed

    /// The statuses a ticket may move to from this one. Solved reopens; closed is final.
    public var successors: Set<TicketStatus> {
        switch self {
        case .new: [.open, .pending, .onHold, .solved]
        case .open: [.pending, .onHold, .solved]
        case .pending: [.open, .onHold, .solved]
        case .onHold: [.open, .pending, .solved]
        case .solved: [.open, .closed]
        case .closed: []
        }
    }

    /// Position in the lifecycle, for sorting by status.
    var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// How urgent a ticket is.
public enum TicketPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent

    var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// What kind of request a ticket is.
public enum TicketType: String, Codable, Sendable, CaseIterable {
    case question, incident, problem, task
}
