/// What the write-through queue tells its observer: once when the store starts failing, once when it
/// works again; never once per request, so that an outage under load is two log lines, not thousands.
public enum StoreHealthEvent: Sendable, Equatable {
    /// The first failed write of an outage. `pendingChanges`: kept in memory, in order, to be retried.
    case unavailable(error: String, pendingChanges: Int)
    /// The first successful write after an outage: `failedAttempts` writes failed over `seconds`.
    case recovered(failedAttempts: Int, seconds: Double)
}

/// How soon a failed write is tried again: `initialDelay`, doubling up to `maxDelay`.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Double
    public var maxDelay: Double

    public init(initialDelay: Double = 0.1, maxDelay: Double = 5) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The wait after the `failures`-th failure in a row (1, 2, ...).
    func delay(afterFailures failures: Int) -> Double {
        let doublings = min(max(failures - 1, 0), 30)
        return min(initialDelay * Double(1 << doublings), maxDelay)
    }
}

/// What `flush()` found when it returned.
public enum FlushResult: Sendable, Equatable {
    /// Every change accepted so far is in the store.
    case written
    /// The store failed; this many changes wait, in order, for the next retry.
    case pending(changes: Int, error: String)
}
