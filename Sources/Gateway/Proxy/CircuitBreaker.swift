import NIOConcurrencyHelpers

/// Stops sending to an upstream that keeps failing: after `threshold` failures in a row it opens for `cooldown`,
/// then lets one trial request through (half-open); the trial's success closes it, its failure opens it again.
final class CircuitBreaker: Sendable {
    enum State: String, Sendable {
        case closed, open, halfOpen = "half_open"
    }

    struct Box {
        var failures = 0
        var openedUntil: ContinuousClock.Instant?
        /// When the half-open trial began; a trial not reported within `trialTimeout` no longer blocks another.
        var trialStarted: ContinuousClock.Instant?
    }

    let threshold: Int
    let cooldown: Duration
    let trialTimeout: Duration
    private let box = NIOLockedValueBox(Box())

    init(threshold: Int = 5, cooldown: Duration = .seconds(5), trialTimeout: Duration = .seconds(10)) {
        self.threshold = threshold
        self.cooldown = cooldown
        self.trialTimeout = trialTimeout
    }

    /// Whether a request may go now; in half-open state only one caller at a time gets the trial.
    func acquire(now: ContinuousClock.Instant = .now) -> Bool {
        box.withLockedValue { box in
            guard let until = box.openedUntil else { return true }
            if now < until { return false }
            if let started = box.trialStarted, now - started < trialTimeout { return false }
            box.trialStarted = now
            return true
        }
    }

    /// The request that acquired says nothing about the replica (the client failed): a trial may go again.
    func released() {
        box.withLockedValue { $0.trialStarted = nil }
    }

    func succeeded() {
        box.withLockedValue { $0 = Box() }
    }

    func failed(now: ContinuousClock.Instant = .now) {
        box.withLockedValue { box in
            box.failures += 1
            if box.trialStarted != nil || box.failures >= threshold {
                box.openedUntil = now + cooldown
                box.trialStarted = nil
            }
        }
    }

    func state(now: ContinuousClock.Instant = .now) -> State {
        box.withLockedValue { box in
            guard let until = box.openedUntil else { return .closed }
            return now < until ? .open : .halfOpen
        }
    }
}
