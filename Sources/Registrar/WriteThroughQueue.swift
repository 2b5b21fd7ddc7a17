import Dispatch
import Synchronization

/// Carries the location service's changes to its store on one background serial queue, so that no
/// REGISTER waits for the disk or the network.
///
/// Changes wait in `pending`, in the order the location service made them, until a write that holds
/// them succeeds: a failed write keeps them all (nothing accepted is lost while the process lives)
/// and is retried after `RetryPolicy`'s backoff. Changes that arrive meanwhile join the same queue and
/// go out together, in one `write` of at most `maxBatch` changes (one transaction for SQLite), so an
/// outage does not turn into a storm of doomed writes, and a busy registrar writes in batches.
/// A change that the store rejects for good (not an outage) would be retried forever and hold back
/// the rest: our stores do not reject well-formed changes, and an observer sees the outage.
final class WriteThroughQueue: Sendable {
    private struct State {
        /// Changes not yet stored are `pending[head...]`: the front advances by an index, and the
        /// written prefix is dropped only once it is most of the array, so that a backlog of a long
        /// outage drains in linear time and no removal holds the lock for long.
        var pending: [BindingChange] = []
        var head = 0
        /// A drain is queued (right away, or after a backoff) and will look at `pending`.
        var wakeScheduled = false
        /// Failed writes in a row, and when the first of them failed.
        var failures = 0
        var outageStart: Double?
    }

    private let store: any BindingStore
    private let retry: RetryPolicy
    private let maxBatch: Int
    private let observer: (@Sendable (StoreHealthEvent) -> Void)?
    private let queue = DispatchQueue(label: "switchd.registrar.write-through")
    private let state = Mutex(State())

    init(store: any BindingStore, retry: RetryPolicy, maxBatch: Int = 1_000, observer: (@Sendable (StoreHealthEvent) -> Void)?) {
        self.store = store
        self.retry = retry
        self.maxBatch = max(maxBatch, 1)
        self.observer = observer
    }

    /// Called with the location service's lock held, so changes enter in the order memory saw them.
    func enqueue(_ changes: [BindingChange]) {
        guard !changes.isEmpty else { return }
        let wake = state.withLock { state -> Bool in
            state.pending.append(contentsOf: changes)
            // During an outage the retry is already scheduled: new changes wait for it.
            guard !state.wakeScheduled else { return false }
            state.wakeScheduled = true
            return true
        }
        // A strong capture: accepted changes must be written even if the service is being released,
        // and a weak reference's side table is a pointer LeakSanitizer cannot follow (a false leak
        // report in the fuzz target, whose handler lives as long as the process).
        if wake { queue.async { [self] in scheduledDrain() } }
    }

    /// Waits for the write in progress, then writes what is pending now; returns when everything is
    /// in the store or a write failed (the changes stay pending and the retries go on). Never call it
    /// from the observer, which runs on the writer's queue.
    func flush() -> FlushResult {
        queue.sync { drain() }
    }

    var pendingCount: Int { state.withLock { $0.pending.count - $0.head } }

    private func scheduledDrain() {
        state.withLock { $0.wakeScheduled = false }
        _ = drain()
    }

    /// Runs on `queue` only: writes batches from the front of `pending` until it is empty or a write
    /// fails. Only this removes from `pending`, so the batch written is still its front afterwards.
    private func drain() -> FlushResult {
        while true {
            let batch = state.withLock { Array($0.pending[$0.head..<min($0.head + maxBatch, $0.pending.count)]) }
            if batch.isEmpty { return .written }
            do {
                try store.write(batch)
            } catch {
                return failed(error)
            }
            let recovered = state.withLock { state -> StoreHealthEvent? in
                state.head += batch.count
                if state.head == state.pending.count {
                    state.pending.removeAll(keepingCapacity: state.pending.count <= 4_096)
                    state.head = 0
                } else if state.head >= 4_096, state.head * 2 >= state.pending.count {
                    state.pending.removeFirst(state.head)
                    state.head = 0
                }
                defer {
                    state.failures = 0
                    state.outageStart = nil
                }
                guard let start = state.outageStart else { return nil }
                return .recovered(failedAttempts: state.failures, seconds: Self.clock() - start)
            }
            if let recovered { observer?(recovered) }
        }
    }

    private func failed(_ error: any Error) -> FlushResult {
        let description = String(describing: error)
        let (event, delay, pending) = state.withLock { state -> (StoreHealthEvent?, Double?, Int) in
            state.failures += 1
            var event: StoreHealthEvent?
            if state.outageStart == nil {
                state.outageStart = Self.clock()
                event = .unavailable(error: description, pendingChanges: state.pending.count - state.head)
            }
            // One retry at a time, however many flushes and enqueues failed meanwhile.
            var delay: Double?
            if !state.wakeScheduled {
                state.wakeScheduled = true
                delay = retry.delay(afterFailures: state.failures)
            }
            return (event, delay, state.pending.count - state.head)
        }
        if let event { observer?(event) }
        if let delay {
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.scheduledDrain() }
        }
        return .pending(changes: pending, error: description)
    }

    /// Monotonic seconds, for the outage's length only (bindings use the caller's `now`).
    private static func clock() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
