/// Lets one SQLite writer in at a time, waiting asynchronously.
///
/// SQLite allows one writer; the others would wait inside `busy_timeout`, each blocking a thread of the
/// shared pool that the lock holder itself needs to finish. Queueing writers here, off the threads, avoids
/// that starvation. The busy timeout still covers writers in other processes (`helpdesk admin create`).
actor WriterGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
