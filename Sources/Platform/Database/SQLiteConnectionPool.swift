import NIOConcurrencyHelpers
import NIOPosix

/// A fixed number of `SQLiteHandle`s, opened on first need and lent one at a time; callers beyond that wait in
/// order of arrival.
final class SQLiteConnectionPool: Sendable {
    private struct State {
        var idle: [SQLiteHandle] = []
        var opened = 0
        var waiters: [CheckedContinuation<SQLiteHandle, any Error>] = []
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    let path: String
    let capacity: Int
    private let busyTimeoutMilliseconds: Int32
    private let threadPool: NIOThreadPool

    init(path: String, capacity: Int, busyTimeoutMilliseconds: Int32, threadPool: NIOThreadPool = .singleton) {
        self.path = path
        self.capacity = capacity
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.threadPool = threadPool
    }

    private enum Next {
        case use(SQLiteHandle)
        case open
        case wait
        case closed
    }

    /// A handle for the caller alone until it calls `release`.
    func lease() async throws -> SQLiteHandle {
        let next: Next = state.withLockedValue { s in
            if s.closed { return .closed }
            if let handle = s.idle.popLast() { return .use(handle) }
            if s.opened < capacity {
                s.opened += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .use(let handle): return handle
        case .closed: throw SQLiteFailure(code: 21, message: "the database is shut down")
        case .open:
            do {
                return try await SQLiteHandle.open(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                   threadPool: threadPool)
            } catch {
                // A caller that queued behind this open would otherwise wait for a release that never comes.
                let waiter = state.withLockedValue { s -> CheckedContinuation<SQLiteHandle, any Error>? in
                    s.opened -= 1
                    return s.waiters.isEmpty ? nil : s.waiters.removeFirst()
                }
                waiter?.resume(throwing: error)
                throw error
            }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let ready: SQLiteHandle?? = state.withLockedValue { s in
                    if s.closed { return .some(nil) }
                    if let handle = s.idle.popLast() { return .some(handle) }
                    s.waiters.append(continuation)
                    return .none
                }
                switch ready {
                case .some(.some(let handle)): continuation.resume(returning: handle)
                case .some(.none): continuation.resume(throwing: SQLiteFailure(code: 21, message: "the database is shut down"))
                case .none: break
                }
            }
        }
    }

    /// Gives a leased handle back: to the longest waiter, or to the idle set.
    func release(_ handle: SQLiteHandle) {
        enum Next { case give(CheckedContinuation<SQLiteHandle, any Error>), keep, close }
        let next: Next = state.withLockedValue { s in
            if s.closed { return .close }
            if !s.waiters.isEmpty { return .give(s.waiters.removeFirst()) }
            s.idle.append(handle)
            return .keep
        }
        switch next {
        case .give(let waiter): waiter.resume(returning: handle)
        case .keep: break
        case .close: Task { await handle.close() }   // leased across shutdown: closed on its way back
        }
    }

    /// Closes the idle handles and refuses new leases; call after the last statement has run.
    func shutdown() async {
        let (idle, waiters) = state.withLockedValue { s in
            s.closed = true
            defer { s.idle = []; s.waiters = [] }
            return (s.idle, s.waiters)
        }
        for waiter in waiters { waiter.resume(throwing: SQLiteFailure(code: 21, message: "the database is shut down")) }
        for handle in idle { await handle.close() }
    }
}
