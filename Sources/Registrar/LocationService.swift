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

    /// Loads every live binding from `store` (throws what the store's `load` throws: for our stores a
    /// `BindingStoreError`); the expired ones are dropped and their removal written back.
    /// `observer` hears of store outages and recoveries (on the writer's queue; it must not call
    /// `flush`): the caller logs them. `retry`: how soon a failed write is tried again.
    public init(
        settings: RegistrarSettings, store: any BindingStore, now: Double, retry: RetryPolicy = RetryPolicy(),
        observer: (@Sendable (StoreHealthEvent) -> Void)? = nil
    ) throws {
        self.settings = settings
        self.rules = RegistrationRules(settings: settings)
        self.writer = WriteThroughQueue(store: store, retry: retry, observer: observer)
        let stored = try store.load()
        var index: [AddressOfRecord: [Binding]] = [:]
        for binding in stored where binding.isLive(at: now) {
            index[binding.aor, default: []].append(binding)
        }
        for (aor, bindings) in index { index[aor] = BindingOrder.sorted(bindings) }
        self.state = Mutex(State(bindings: index))
        if stored.contains(where: { !$0.isLive(at: now) }) {
            writer.enqueue([.removeExpired(before: now)])
        }
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
                state.bindings[request.aor] = applied.bindings.isEmpty ? nil : applied.bindings
                // Under the lock: the store sees changes in the order memory made them.
                writer.enqueue(applied.changes)
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
