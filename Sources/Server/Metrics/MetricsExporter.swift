import Config
import CoreMetrics
import Prometheus
import Synchronization

/// switchd's metrics as swift-metrics objects on a swift-prometheus registry, and their text exposition.
///
/// The workers never touch these objects: they count in their own `RequestMeter`s, and `publish`
/// folds what was counted since the last time into the registry (counters incremented by the
/// difference, gauges set). swift-prometheus's histogram records one observation at a time under a
/// lock all its users share, so a request could not record its duration there without a lock shared
/// by every worker; instead each worker counts requests and their nanoseconds per bucket, and
/// `publish` replays each bucket's new requests at their mean, which lies inside the bucket: every
/// bucket count, the count and the sum come out exact. The replay costs one `record` per request,
/// on the metrics thread; `MetricsService` folds the durations once a second, so a scrape never has a
/// backlog.
public final class MetricsExporter: Sendable {
    public static let durationMetric = "switchd_request_duration_seconds"

    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let state: Mutex<Published>

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.durationMetric] = DurationBuckets.upperBounds.map { .nanoseconds($0) }
        self.factory = factory
        state = Mutex(Published(factory: factory))
    }

    /// Folds `snapshot` into the registry.
    public func publish(_ snapshot: MetricsSnapshot) {
        state.withLock { $0.fold(snapshot, factory: factory) }
    }

    /// Folds only the request durations of `snapshot` (the once-a-second replay between scrapes).
    public func publishDurations(_ snapshot: MetricsSnapshot) {
        state.withLock { $0.duration.publish(counts: snapshot.durationCounts, nanoseconds: snapshot.durationNanoseconds) }
    }

    /// The Prometheus text exposition (format 0.0.4) of everything published so far.
    public func exposition() -> [UInt8] {
        state.withLock { _ in registry.emitToBuffer() }
    }
}

/// A counter and the total it was last brought to.
private struct FoldedCounter {
    let counter: CoreMetrics.Counter
    var published = 0

    init(_ label: String, _ dimensions: [(String, String)] = [], factory: MetricsFactory) {
        counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    mutating func publish(_ total: Int) {
        guard total > published else { return }
        counter.increment(by: Int64(total - published))
        published = total
    }
}

/// The request duration histogram and, per bucket, the requests and nanoseconds replayed into it.
private struct FoldedHistogram {
    let timer: CoreMetrics.Timer
    var publishedCounts = [Int](repeating: 0, count: RequestMeter.Slot.durationBucketCount)
    var publishedNanoseconds = [Int](repeating: 0, count: RequestMeter.Slot.durationBucketCount)

    init(factory: MetricsFactory) {
        timer = CoreMetrics.Timer(label: MetricsExporter.durationMetric, factory: factory)
    }

    mutating func publish(counts: [Int], nanoseconds: [Int]) {
        let bounds = DurationBuckets.upperBounds
        for bucket in counts.indices {
            let added = counts[bucket] - publishedCounts[bucket]
            guard added > 0 else { continue }
            let lowest = bucket == 0 ? 0 : bounds[bucket - 1] + 1
            let highest = bucket < bounds.count ? bounds[bucket] : Int.max
            let time = max(0, nanoseconds[bucket] - publishedNanoseconds[bucket])
            let (mean, remainder) = time.quotientAndRemainder(dividingBy: added)
            var replayed = 0
            for index in 0..<added {
                // The clamp matters only when a worker's count was read before its nanoseconds: the
                // difference is carried to the next fold, so the sum is exact again there.
                let value = min(highest, max(lowest, mean + (index < remainder ? 1 : 0)))
                timer.recordNanoseconds(Int64(value))
                replayed += value
            }
            publishedCounts[bucket] += added
            publishedNanoseconds[bucket] += replayed
        }
    }
}

/// Every series, created at start so that each exists at 0 before anything happened.
private struct Published {
    var requests: [FoldedCounter]
    var responses: [Int: FoldedCounter]
    var decisions: [FoldedCounter]
    var dropped: [FoldedCounter]
    var authenticationFailures: FoldedCounter
    var reloadsOK: FoldedCounter
    var reloadsFailed: FoldedCounter
    var duration: FoldedHistogram
    let activeBans: CoreMetrics.Gauge
    let generation: CoreMetrics.Gauge
    let loadedAt: CoreMetrics.Gauge
    var registrations: [String: CoreMetrics.Gauge] = [:]
    let connections: [SIPTransport: CoreMetrics.Gauge]

    init(factory: MetricsFactory) {
        requests = MethodLabel.allCases.map { FoldedCounter("switchd_requests_total", [("method", $0.label)], factory: factory) }
        responses = [:]
        for status in ResponseCatalog.statusCodes {
            responses[status] = FoldedCounter("switchd_responses_total", [("status", "\(status)")], factory: factory)
        }
        decisions = DecisionOutcome.allCases.map {
            FoldedCounter("switchd_decisions_total", [("outcome", $0.label)], factory: factory)
        }
        dropped = DropReason.allCases.map { FoldedCounter("switchd_dropped_total", [("reason", $0.label)], factory: factory) }
        authenticationFailures = FoldedCounter("switchd_auth_failures_total", factory: factory)
        reloadsOK = FoldedCounter("switchd_config_reloads_total", [("result", "ok")], factory: factory)
        reloadsFailed = FoldedCounter("switchd_config_reloads_total", [("result", "failed")], factory: factory)
        duration = FoldedHistogram(factory: factory)
        activeBans = CoreMetrics.Gauge(label: "switchd_bans_active", factory: factory)
        generation = CoreMetrics.Gauge(label: "switchd_config_generation", factory: factory)
        loadedAt = CoreMetrics.Gauge(label: "switchd_config_loaded_timestamp_seconds", factory: factory)
        var connections: [SIPTransport: CoreMetrics.Gauge] = [:]
        for transport in SIPTransport.allCases where transport.isStream {
            connections[transport] = CoreMetrics.Gauge(
                label: "switchd_connections", dimensions: [("transport", transport.rawValue)], factory: factory)
        }
        self.connections = connections
    }

    mutating func fold(_ snapshot: MetricsSnapshot, factory: MetricsFactory) {
        for (index, total) in snapshot.requests.enumerated() { requests[index].publish(total) }
        for (index, total) in snapshot.responses.enumerated() where total > 0 {
            let status = RequestMeter.Slot.statusRange.lowerBound + index
            responses[status, default: FoldedCounter("switchd_responses_total", [("status", "\(status)")], factory: factory)]
                .publish(total)
        }
        for (index, total) in snapshot.decisions.enumerated() { decisions[index].publish(total) }
        for (index, total) in snapshot.dropped.enumerated() { dropped[index].publish(total) }
        authenticationFailures.publish(snapshot.authenticationFailures)
        duration.publish(counts: snapshot.durationCounts, nanoseconds: snapshot.durationNanoseconds)
        activeBans.record(snapshot.activeBans)
        let configuration = snapshot.configuration
        reloadsOK.publish(configuration.reloadsOK)
        reloadsFailed.publish(configuration.reloadsFailed)
        generation.record(configuration.generation)
        loadedAt.record(configuration.loadedAt)
        // A customer removed by a reload leaves the exposition; a new one appears at its count.
        for (customer, gauge) in registrations where snapshot.registrations[customer] == nil {
            gauge.destroy()
            registrations[customer] = nil
        }
        for (customer, count) in snapshot.registrations {
            let gauge =
                registrations[customer]
                ?? CoreMetrics.Gauge(label: "switchd_registrations", dimensions: [("customer", customer)], factory: factory)
            registrations[customer] = gauge
            gauge.record(count)
        }
        for (transport, gauge) in connections { gauge.record(snapshot.connections[transport] ?? 0) }
    }
}
