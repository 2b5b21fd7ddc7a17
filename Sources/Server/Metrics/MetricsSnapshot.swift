import Config

/// Everything a scrape reports, read at once as plain values: the workers' meters added up, and the
/// state of the daemon (bans, configuration, registrations, connections).
public struct MetricsSnapshot: Sendable, Equatable {
    /// By `MethodLabel`.
    var requests: [Int]
    /// Statuses 100-699, by `status - 100`.
    var responses: [Int]
    /// By `DecisionOutcome`.
    var decisions: [Int]
    /// By `DropReason`.
    var dropped: [Int]
    var authenticationFailures: Int
    /// Requests per duration bucket (not cumulative; the last is +Inf), and the nanoseconds they took.
    var durationCounts: [Int]
    var durationNanoseconds: [Int]
    var activeBans: Int
    var configuration: ConfigurationState
    /// Live bindings per customer, for every customer of the serving plan (0 included).
    var registrations: [String: Int]
    /// Open connections by stream transport.
    var connections: [SIPTransport: Int]

    init(meters: MeterSet) {
        typealias Slot = RequestMeter.Slot
        requests = meters.totals(from: Slot.methods, count: MethodLabel.allCases.count)
        responses = meters.totals(from: Slot.statuses, count: Slot.statusRange.count)
        decisions = meters.totals(from: Slot.outcomes, count: DecisionOutcome.allCases.count)
        dropped = meters.totals(from: Slot.drops, count: DropReason.allCases.count)
        authenticationFailures = meters.total(Slot.authenticationFailures)
        durationCounts = meters.totals(from: Slot.durationCounts, count: Slot.durationBucketCount)
        durationNanoseconds = meters.totals(from: Slot.durationNanoseconds, count: Slot.durationBucketCount)
        activeBans = 0
        configuration = ConfigurationState(loadedAt: 0)
        registrations = [:]
        connections = [:]
    }
}

/// The configuration's history since start, for `/metrics` and `/health`.
public struct ConfigurationState: Sendable, Equatable {
    public enum Result: String, Sendable {
        case ok, failed
    }

    /// 1 for the configuration loaded at start, one more for each successful reload.
    public var generation = 1
    public var reloadsOK = 0
    public var reloadsFailed = 0
    /// Seconds since 1970 when the serving configuration was loaded.
    public var loadedAt: Double
    /// The last load: at start, or the last reload, whatever its result.
    public var lastResult = Result.ok
    public var lastAttemptAt: Double

    public init(loadedAt: Double) {
        self.loadedAt = loadedAt
        lastAttemptAt = loadedAt
    }

    public mutating func noteReload(succeeded: Bool, at time: Double) {
        lastAttemptAt = time
        if succeeded {
            generation += 1
            reloadsOK += 1
            loadedAt = time
            lastResult = .ok
        } else {
            reloadsFailed += 1
            lastResult = .failed
        }
    }
}
