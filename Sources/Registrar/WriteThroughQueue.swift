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
/// The backlog is capped (`maximumPending`): past it `tryEnqueue` refuses, so that a long outage
/// cannot grow the process without bound and no request is answered as stored when it cannot be.
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
        /// Failed writes in a row (the backoff), failed writes since the outage began, and when it
        /// began (nil: no outage).
        var failures = 0
        var failedDuringOutage = 0
        var outageStart: Double?
        /// Changes written since the outage began (the recovery reports them).
        var writtenDuringOutage = 0
        /// `tryEnqueue` refused since the backlog last drained (reported once).
        var backlogFullReported = false
        /// `stop()` was called: no more writes, no more retries.
        var stopped = false

        var pendingCount: Int { pending.count - head }
    }

    private let store: any BindingStore
    private let retry: RetryPolicy
    private let maxBatch: Int
    let maximumPending: Int
    private let observer: (@Sendable (StoreHealthEvent) -> Void)?
    private let queue = DispatchQueue(label: "switchd.registrar.write-through")
    private let state = Mutex(State())

    init(
        store: any BindingStore, retry: RetryPolicy, maxBatch: Int = 1_000, maximumPending: Int,
        observer: (@Sendable (StoreHealthEvent) -> Void)?
    ) {
        self.store = store
        self.retry = retry
        self.maxBatch = max(maxBatch, 1)
        self.maximumPending = max(maximumPending, 1)
        self.observer = observer
    }

    /// Queues changes whatever the backlog (the purge of expired bindings: one change a minute, and a
    /// condition that a later one subsumes). Called with the location service's lock held, so changes
    /// enter in the order memory saw them.
    func enqueue(_ changes: [BindingChange]) {
        guard !changes.isEmpty else { return }
        let wake = state.withLock { state in Self.append(changes, to: &state) }
        if wake { wakeUp() }
    }

    /// Queues changes unless the backlog would pass `maximumPending`; false (nothing queued) then, and
    /// the first refusal of a backlog is reported to the observer. Called with the location service's
    /// lock held, before memory changes, so a refused request changes nothing.
    func tryEnqueue(_ changes: [BindingChange]) -> Bool {
        guard !changes.isEmpty else { return true }
        let (accepted, wake, report) = state.withLock { state -> (Bool, Bool, Bool) in
            guard state.pendingCount + changes.count <= maximumPending else {
                defer { state.backlogFullReported = true }
                return (false, false, !state.backlogFullReported)
            }
            return (true, Self.append(changes, to: &state), false)
        }
        if wake { wakeUp() }
        if report { notify(.backlogFull(limit: maximumPending)) }
        return accepted
    }

    /// Evidence from outside the queue (a failed load at start, a cluster store's lost connection)
    /// that the store is down: the outage begins now unless it already has.
    func noteUnavailable(_ error: String) {
        let event = state.withLock { state -> StoreHealthEvent? in
            guard state.outageStart == nil, !state.stopped else { return nil }
            state.outageStart = Self.clock()
            return .unavailable(error: error, pendingChanges: state.pendingCount)
        }
        if let event { notify(event) }
    }

    /// Evidence from outside that the store answers again: the backlog is written at once (not at the
    /// next backoff), and the recovery reported when it is all in the store.
    func noteAvailable() {
        queue.async { [self] in
            guard case .written = drain() else { return }
            // Nothing was pending, so no write proved the recovery: this evidence does.
            let event = state.withLock { state in Self.recovery(&state) }
            if let event { observer?(event) }
        }
    }

    /// Waits for the write in progress, then writes what is pending now; returns when everything is
    /// in the store or a write failed (the changes stay pending and the retries go on). Never call it
    /// from the observer, which runs on the writer's queue.
    func flush() -> FlushResult {
        queue.sync { drain() }
    }

    /// Ends the writes: a retry scheduled or queued does nothing once this returns (the store is about
    /// to be closed). What is pending then stays unwritten.
    func stop() {
        queue.sync { state.withLock { $0.stopped = true } }
    }

    var pendingCount: Int { state.withLock { $0.pendingCount } }

    /// The changes not yet in the store, oldest first (a resync applies them over the store's rows).
    var pendingChanges: [BindingChange] { state.withLock { Array($0.pending[$0.head...]) } }

    /// Appends; true when a drain must be queued (none is: during an outage the retry already is).
    private static func append(_ changes: [BindingChange], to state: inout State) -> Bool {
        state.pending.append(contentsOf: changes)
        guard !state.wakeScheduled else { return false }
        state.wakeScheduled = true
        return true
    }

    private func wakeUp() {
        // A strong capture: accepted changes must be written even if the service is being released,
        // and a weak reference's side table is a pointer LeakSanitizer cannot follow (a false leak
        // report in the fuzz target, whose handler lives as long as the process).
        queue.async { [self] in scheduledDrain() }
    }

    /// The observer runs on the writer's queue, whoever noticed the event.
    private func notify(_ event: StoreHealthEvent) {
        guard let observer else { return }
        queue.async { observer(event) }
    }

    private func scheduledDrain() {
        state.withLock { $0.wakeScheduled = false }
        _ = drain()
    }

    /// Runs on `queue` only: writes batches from the front of `pending` until it is empty or a write
    /// fails. Only this removes from `pending`, so the batch written is still its front afterwards.
    private func drain() -> FlushResult {
        while true {
            let (batch, stopped) = state.withLock { state in
                (Array(state.pending[state.head..<min(state.head + maxBatch, state.pending.count)]), state.stopped)
            }
            if batch.isEmpty { return .written }
            guard !stopped else { return .pending(changes: pendingCount, error: "the registrar is stopping") }
            do {
                try store.write(batch)
            } catch {
                return failed(error)
            }
            let recovered = state.withLock { state -> StoreHealthEvent? in
                state.head += batch.count
                state.failures = 0
                if state.outageStart != nil { state.writtenDuringOutage += batch.count }
                guard state.head == state.pending.count else {
                    if state.head >= 4_096, state.head * 2 >= state.pending.count {
                        state.pending.removeFirst(state.head)
                        state.head = 0
                    }
                    return nil
                }
                state.pending.removeAll(keepingCapacity: state.pending.count <= 4_096)
                state.head = 0
                state.backlogFullReported = false
                // The recovery is reported once the backlog is all written, with how much it was.
                return Self.recovery(&state)
            }
            if let recovered { observer?(recovered) }
        }
    }

    /// Ends the outage, if there is one, and says so.
    private static func recovery(_ state: inout State) -> StoreHealthEvent? {
        guard let start = state.outageStart else { return nil }
        defer {
            state.outageStart = nil
            state.writtenDuringOutage = 0
            state.failedDuringOutage = 0
        }
        return .recovered(
            failedAttempts: state.failedDuringOutage, seconds: clock() - start, writtenChanges: state.writtenDuringOutage)
    }

    private func failed(_ error: any Error) -> FlushResult {
        let description = String(describing: error)
        let (event, delay, pending) = state.withLock { state -> (StoreHealthEvent?, Double?, Int) in
            state.failures += 1
            state.failedDuringOutage += 1
            var event: StoreHealthEvent?
            if state.outageStart == nil {
                state.outageStart = Self.clock()
                event = .unavailable(error: description, pendingChanges: state.pendingCount)
            }
            // One retry at a time, however many flushes and enqueues failed meanwhile.
            var delay: Double?
            if !state.wakeScheduled {
                state.wakeScheduled = true
                delay = retry.delay(afterFailures: state.failures)
            }
            return (event, delay, state.pendingCount)
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
