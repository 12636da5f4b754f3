import Foundation
import NIOConcurrencyHelpers

/// A hook fired when users get new in-app notifications; whoever holds open pages (the realtime gateway)
/// sets the handler. Nothing happens until one is set.
public final class InboxSignal: Sendable {
    private let handler = NIOLockedValueBox<(@Sendable (UUID, [UUID]) -> Void)?>(nil)

    public init() {}

    /// Sets what runs with (workspace id, user ids) after notifications were written.
    public func setHandler(_ handler: @escaping @Sendable (UUID, [UUID]) -> Void) {
        self.handler.withLockedValue { $0 = handler }
    }

    func fire(_ workspaceID: UUID, _ userIDs: [UUID]) {
        handler.withLockedValue { $0 }?(workspaceID, userIDs)
    }
}
