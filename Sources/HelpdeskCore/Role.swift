/// The role a user holds in a workspace; it decides what the user may do.
public enum Role: String, Codable, Sendable, CaseIterable {
    case customer
    case agent
    case admin

    /// Agents and admins work tickets and may read other users.
    public var isStaff: Bool { self != .customer }
}
