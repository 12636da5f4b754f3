import Foundation

/// Workspaces partition every row; a default install has exactly one.
public enum Workspace {
    /// The workspace a default install uses.
    public static let defaultID = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
}
