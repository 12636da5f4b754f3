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
        var trialInFlight = false
    }

    let threshold: Int
    let cooldown: Duration
    private let box = NIOLockedValueBox(Box())

    init(threshold: Int = 5, cooldown: Duration = .seconds(5)) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// Whether a request may go now; in half-open state only the first caller gets the trial.
    func acquire(now: ContinuousClock.Instant = .now) -> Bool {
        box.withLockedValue { box in
            guard let until = box.openedUntil else { return true }
            if now < until || box.trialInFlight { return false }
            box.trialInFlight = true
            return true
        }
    }

    func succeeded() {
        box.withLockedValue { $0 = Box() }
    }

    func failed(now: ContinuousClock.Instant = .now) {
        box.withLockedValue { box in
            box.failures += 1
            if box.trialInFlight || box.failures >= threshold {
                box.openedUntil = now + cooldown
                box.trialInFlight = false
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
