import Foundation

/// A hook fired when users get new in-app notifications; whoever holds open pages (the realtime gateway)
/// sets the handler. Nothing happens until one is set.
public final class InboxSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var handler: (@Sendable (UUID, [UUID]) -> Void)?

    public init() {}

    /// Sets what runs with (workspace id, user ids) after notifications were written.
    public func setHandler(_ handler: @escaping @Sendable (UUID, [UUID]) -> Void) {
        lock.withLock { self.handler = handler }
    }

    func fire(_ workspaceID: UUID, _ userIDs: [UUID]) {
        lock.withLock { handler }?(workspaceID, userIDs)
    }
}
