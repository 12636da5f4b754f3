import Foundation
import NIOConcurrencyHelpers

/// A hook fired when users get new in-app notifications; whoever holds open pages (the realtime gateway)
/// sets the handler. Nothing happens until one is set.
public final class InboxSignal: @unchecked Sendable {
    // A concrete stored property behind a lock, not a generic box: reading a closure through a generic
    // `inout` (NIOLockedValueBox.withLockedValue { $0 }) writes it back wrapped in two reabstraction thunks,
    // so every fire made the handler one call deeper. After a few thousand notifications that chain was a
    // fifth of the server's CPU, and it grows until the stack overflows.
    private let lock = NIOLock()
    private var handler: (@Sendable (UUID, [UUID]) -> Void)?

    public init() {}

    /// Sets what runs with (workspace id, user ids) after notifications were written.
    public func setHandler(_ handler: @escaping @Sendable (UUID, [UUID]) -> Void) {
        lock.withLock { self.handler = handler }
    }

    func fire(_ workspaceID: UUID, _ userIDs: [UUID]) {
        let handler = lock.withLock { self.handler }
        handler?(workspaceID, userIDs)
    }
}
