import Synchronization

/// What one worker (a UDP worker thread, a stream event loop) counted: requests by method, responses by
/// status, decisions, drops, failed authentications and the handling time of each request. Only its own
/// worker writes it, so the relaxed atomic adds never contend (no cache line moves between cores per
/// request); a scrape reads every worker's meter and adds them up (`MeterSet`). Exact: nothing is sampled.
public final class RequestMeter: Sendable {
    /// Slot layout: one block per label set, back to back.
    enum Slot {
        static let methods = 0
        static let statuses = methods + MethodLabel.allCases.count
        /// Status codes 100-699, one slot each.
        static let statusRange = 100...699
        static let outcomes = statuses + statusRange.count
        static let drops = outcomes + DecisionOutcome.allCases.count
        static let authenticationFailures = drops + DropReason.allCases.count
        /// One slot per bucket and one for +Inf: how many requests took that long (not cumulative).
        static let durationCounts = authenticationFailures + 1
        static let durationBucketCount = DurationBuckets.upperBounds.count + 1
        /// Per bucket, the nanoseconds its requests took: the exporter replays each bucket's requests at
        /// their mean, which keeps both the buckets and the sum exact (see `MetricsExporter`).
        static let durationNanoseconds = durationCounts + durationBucketCount
        static let count = durationNanoseconds + durationBucketCount
    }

    /// The layout's size, rounded up (an inline array's size is a literal); `RequestMeter.init` checks it.
    private let slots: [672 of Atomic<Int>]

    public init() {
        precondition(Slot.count <= 672, "RequestMeter: \(Slot.count) slots do not fit")
        slots = InlineArray { _ in Atomic(0) }
    }

    @inline(__always)
    private func add(_ slot: Int, _ amount: Int = 1) {
        slots[slot].wrappingAdd(amount, ordering: .relaxed)
    }

    /// Acquiring: read counts before nanoseconds (`MetricsSnapshot` does), and every counted duration's
    /// nanoseconds are in.
    func value(_ slot: Int) -> Int { slots[slot].load(ordering: .acquiring) }

    func countRequest(_ method: MethodLabel) { add(Slot.methods + method.rawValue) }

    /// A status outside 100-699 cannot come from `ResponseCatalog`; it is not counted rather than trusted.
    func countResponse(status: Int) {
        guard Slot.statusRange.contains(status) else { return }
        add(Slot.statuses + status - Slot.statusRange.lowerBound)
    }

    func countDecision(_ outcome: DecisionOutcome) { add(Slot.outcomes + outcome.rawValue) }

    func countDrop(_ reason: DropReason, by amount: Int = 1) { add(Slot.drops + reason.rawValue, amount) }

    func countAuthenticationFailure(by amount: Int = 1) { add(Slot.authenticationFailures, amount) }

    /// The nanoseconds before the count, the count released: a fold that sees the count (acquiring it)
    /// sees its nanoseconds too, so what it replays never runs ahead of the sum.
    func recordDuration(nanoseconds: Int) {
        let duration = max(0, nanoseconds)
        let bucket = DurationBuckets.index(ofNanoseconds: duration)
        add(Slot.durationNanoseconds + bucket, duration)
        slots[Slot.durationCounts + bucket].wrappingAdd(1, ordering: .releasing)
    }
}

/// Every worker's meter, so that a scrape (and `Counters`) can add them up. Workers join once, when
/// they start; the lock is never taken per request.
public final class MeterSet: Sendable {
    private let meters = Mutex<[RequestMeter]>([])
    /// For requests handled outside any worker: tests and tools calling `RequestHandler.handle` directly.
    public let shared = RequestMeter()

    public init() {
        meters.withLock { $0.append(shared) }
    }

    /// A new meter for one worker, counted from now on.
    public func makeMeter() -> RequestMeter {
        let meter = RequestMeter()
        meters.withLock { $0.append(meter) }
        return meter
    }

    /// The sum of one slot over every worker.
    func total(_ slot: Int) -> Int {
        meters.withLock { $0 }.reduce(0) { $0 &+ $1.value(slot) }
    }

    /// The sums of `count` consecutive slots from `start`, over every worker.
    func totals(from start: Int, count: Int) -> [Int] {
        var sums = [Int](repeating: 0, count: count)
        for meter in meters.withLock({ $0 }) {
            for index in 0..<count { sums[index] &+= meter.value(start + index) }
        }
        return sums
    }
}
