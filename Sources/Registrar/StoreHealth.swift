/// What the write-through queue tells its observer: once when the store starts failing, once when it
/// works again; never once per request, so that an outage under load is two log lines, not thousands.
/// Every source of evidence (a failed write, a failed load at start, a cluster store's change feed)
/// reports to the same queue, so the daemon logs one line per outage, not one per component.
public enum StoreHealthEvent: Sendable, Equatable {
    /// The first failure of an outage. `pendingChanges`: kept in memory, in order, to be retried.
    case unavailable(error: String, pendingChanges: Int)
    /// The store works again and the backlog is written: `failedAttempts` writes failed over `seconds`,
    /// and `writtenChanges` changes waited for the store and are in it now.
    case recovered(failedAttempts: Int, seconds: Double, writtenChanges: Int)
    /// The backlog reached its cap (`LocationService.maximumPendingChanges`): REGISTERs that would change
    /// a binding are refused (`RegisterOutcome.storeBacklogFull`) until it drains. Once per backlog.
    case backlogFull(limit: Int)
}

/// How soon a failed write is tried again: `initialDelay`, doubling up to `maxDelay`. The default caps
/// it at 1 s: a retry against a server that refuses costs a failed connect, and registrations accepted
/// during an outage reach the store (and the other nodes) within a second of its return.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Double
    public var maxDelay: Double

    public init(initialDelay: Double = 0.1, maxDelay: Double = 1) {
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
