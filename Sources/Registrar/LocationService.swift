import Synchronization

/// The location service (RFC 3261 §10): every binding of every address of record in memory, so that
/// `lookup` on the INVITE path never waits for a database, and every change written through to a
/// `BindingStore` on a background queue (see `WriteThroughQueue`).
///
/// All methods take the current time as `now` (seconds since 1970), so tests move time by hand and the
/// caller reads the clock once per request.
public final class LocationService: Sendable {
    private struct State {
        /// Each AOR's bindings in lookup order (`BindingOrder`); an AOR without bindings has no entry.
        var bindings: [AddressOfRecord: [Binding]] = [:]
    }

    public let settings: RegistrarSettings
    private let rules: RegistrationRules
    private let state: Mutex<State>
    private let writer: WriteThroughQueue
    private let store: any BindingStore

    /// The backlog of changes a store may fall behind by (an outage) before REGISTERs that would add
    /// to it are refused with `RegisterOutcome.storeBacklogFull`: at a few hundred bytes a change, at
    /// most some tens of MB; 10,000 phones re-registering hourly take about ten hours to fill it.
    public static let maximumPendingChanges = 100_000

    /// Loads every live binding from `store` (throws what the store's `load` throws: for our stores a
    /// `BindingStoreError` or `PostgresStoreError`); the expired ones are dropped and their removal
    /// written back. The other arguments are `init(settings:store:initial:now:...)`'s.
    public convenience init(
        settings: RegistrarSettings, store: any BindingStore, now: Double, retry: RetryPolicy = RetryPolicy(),
        maximumPendingChanges: Int = LocationService.maximumPendingChanges,
        observer: (@Sendable (StoreHealthEvent) -> Void)? = nil
    ) throws {
        let stored = try store.load()
        self.init(
            settings: settings, store: store, initial: stored, now: now, retry: retry,
            maximumPendingChanges: maximumPendingChanges, observer: observer)
    }

    /// Starts from `initial` (what the caller loaded; empty when the store could not be read, then
    /// `resync(with:now:)` once it can). Expired ones are dropped, and their removal written back.
    /// `observer` hears of store outages and recoveries (on the writer's queue; it must not call
    /// `flush`): the caller logs them. `retry`: how soon a failed write is tried again.
    /// `maximumPendingChanges`: the backlog's cap (see `LocationService.maximumPendingChanges`).
    public init(
        settings: RegistrarSettings, store: any BindingStore, initial: [Binding], now: Double,
        retry: RetryPolicy = RetryPolicy(), maximumPendingChanges: Int = LocationService.maximumPendingChanges,
        observer: (@Sendable (StoreHealthEvent) -> Void)? = nil
    ) {
        self.settings = settings
        self.rules = RegistrationRules(settings: settings)
        self.store = store
        self.writer = WriteThroughQueue(
            store: store, retry: retry, maximumPending: maximumPendingChanges, observer: observer)
        self.state = Mutex(State(bindings: Self.index(initial, now: now)))
        if initial.contains(where: { !$0.isLive(at: now) }) {
            writer.enqueue([.removeExpired(before: now)])
        }
    }

    private static func index(_ bindings: [Binding], now: Double) -> [AddressOfRecord: [Binding]] {
        var index: [AddressOfRecord: [Binding]] = [:]
        for binding in bindings where binding.isLive(at: now) {
            index[binding.aor, default: []].append(binding)
        }
        for (aor, bindings) in index { index[aor] = BindingOrder.sorted(bindings) }
        return index
    }

    /// RFC 3261 §10.3 steps 6-8 for an AOR the caller has already authorised (`RegistrationRules` has
    /// the rules). An accepted change is in memory when this returns and on its way to the store.
    public func register(_ request: RegisterRequest, now: Double) -> RegisterOutcome {
        state.withLock { state in
            let current = state.bindings[request.aor] ?? []
            switch rules.evaluate(request, current: current, now: now) {
            case .refuse(let outcome):
                return outcome
            case .query:
                let live = current.filter { $0.isLive(at: now) }
                return .ok(bindings: live.map { RegisteredBinding($0, now: now) }, evicted: [])
            case .apply(let applied):
                // Under the lock: the store sees changes in the order memory made them. Before memory
                // changes: a request the backlog cannot take changes nothing.
                guard writer.tryEnqueue(applied.changes) else { return .storeBacklogFull(limit: writer.maximumPending) }
                state.bindings[request.aor] = applied.bindings.isEmpty ? nil : applied.bindings
                return .ok(bindings: applied.bindings.map { RegisteredBinding($0, now: now) }, evicted: applied.evicted)
            }
        }
    }

    /// The AOR's live bindings, highest q first (absent q = 1.0), newest first among equals. The lock
    /// is held to copy one array reference; the array is filtered (and so copied) only when a binding
    /// has lapsed since the last purge.
    public func lookup(_ aor: AddressOfRecord, now: Double) -> [Binding] {
        guard let bindings = state.withLock({ $0.bindings[aor] }) else { return [] }
        if bindings.allSatisfy({ $0.isLive(at: now) }) { return bindings }
        return bindings.filter { $0.isLive(at: now) }
    }

    /// Every live binding, by AOR (customer, then extension), each AOR's in lookup order.
    public func all(now: Double) -> [Binding] {
        let snapshot = state.withLock { $0.bindings }
        return snapshot.keys
            .sorted { ($0.customerID, $0.extensionNumber) < ($1.customerID, $1.extensionNumber) }
            .flatMap { aor in (snapshot[aor] ?? []).filter { $0.isLive(at: now) } }
    }

    /// Live bindings per customer id (for the metrics; customers with none are absent).
    public func liveBindingCounts(now: Double) -> [String: Int] {
        let snapshot = state.withLock { $0.bindings }
        var counts: [String: Int] = [:]
        for (aor, bindings) in snapshot {
            let live = bindings.count { $0.isLive(at: now) }
            if live > 0 { counts[aor.customerID, default: 0] += live }
        }
        return counts
    }

    /// Drops the bindings that lapsed at or before `now` and writes one `.removeExpired(before: now)`
    /// through (a condition, not a list, so that a cluster node cannot delete a binding another node
    /// has just renewed). Returns how many it dropped from memory.
    @discardableResult
    public func purgeExpired(now: Double) -> Int {
        state.withLock { state in
            var dropped = 0
            for (aor, bindings) in state.bindings {
                let live = bindings.filter { $0.isLive(at: now) }
                guard live.count != bindings.count else { continue }
                dropped += bindings.count - live.count
                state.bindings[aor] = live.isEmpty ? nil : live
            }
            if dropped > 0 { writer.enqueue([.removeExpired(before: now)]) }
            return dropped
        }
    }

    /// Changes another node made (a cluster's store reports them): applied to memory, not written back.
    public func apply(remote changes: [BindingChange]) {
        state.withLock { state in
            for change in changes { Self.apply(change, to: &state.bindings) }
        }
    }

    /// Makes memory the store's `rows` (a cluster's store after an outage, or at start when it could
    /// not be read), with the changes not yet written applied over them: they are newer than any row.
    public func resync(with rows: [Binding], now: Double) {
        state.withLock { state in
            var index = Self.index(rows, now: now)
            for change in writer.pendingChanges { Self.apply(change, to: &index) }
            state.bindings = index
        }
    }

    /// The store failed outside a write (at start, or a cluster's change feed): the outage is reported
    /// now, once, unless it already is.
    public func noteStoreUnavailable(_ error: String) {
        writer.noteUnavailable(error)
    }

    /// The store answers again (a cluster's change feed reconnected): what is pending is written now,
    /// and the recovery reported once it is.
    public func noteStoreAvailable() {
        writer.noteAvailable()
    }

    /// Writes what is pending (as `flush`), stops the retries, and closes the store. Returns the flush's
    /// result; throws what the store's `close` throws. Nothing is written after it.
    public func close() throws -> FlushResult {
        let flushed = writer.flush()
        writer.stop()
        try store.close()
        return flushed
    }

    /// Blocks until the changes accepted so far are in the store, or a write failed (for tests and
    /// shutdown; retries go on in the background after a failure).
    public func flush() -> FlushResult {
        writer.flush()
    }

    /// Changes accepted but not yet in the store.
    public var pendingWrites: Int { writer.pendingCount }

    private static func apply(_ change: BindingChange, to index: inout [AddressOfRecord: [Binding]]) {
        switch change {
        case .upsert(let binding):
            var bindings = index[binding.aor] ?? []
            bindings.removeAll { $0.contact == binding.contact }
            bindings.append(binding)
            index[binding.aor] = BindingOrder.sorted(bindings)
        case .remove(let aor, let contact):
            guard var bindings = index[aor] else { return }
            bindings.removeAll { $0.contact == contact }
            index[aor] = bindings.isEmpty ? nil : bindings
        case .removeAll(let aor):
            index[aor] = nil
        case .removeExpired(let before):
            for (aor, bindings) in index {
                let kept = bindings.filter { $0.isLive(at: before) }
                if kept.count != bindings.count { index[aor] = kept.isEmpty ? nil : kept }
            }
        }
    }
}
