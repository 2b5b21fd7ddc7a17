import Synchronization

/// What the daemon has seen, for the log at stop, tests and the metrics endpoint. What happens per
/// request is counted in each worker's own `RequestMeter` (added up here when read); the rest (sends,
/// connections) are relaxed atomics: statistics, not locks.
public final class Counters: Sendable {
    public enum Name: Int, CaseIterable, Sendable, CustomStringConvertible {
        case requests, responsesSent, responsesIgnored, dropped, oversized, sendErrors
        case rateLimited, banned, authenticationFailures, oversizedReplies
        case connectionsAccepted, connectionsRefused, connectionsClosedByServer
        case decisionLogDropped, slowSenders

        public var description: String {
            switch self {
            case .requests: return "requests"
            case .responsesSent: return "responses_sent"
            case .responsesIgnored: return "sip_responses_ignored"
            case .dropped: return "unparseable_dropped"
            case .oversized: return "oversized_dropped"
            case .sendErrors: return "send_errors"
            case .rateLimited: return "rate_limited_dropped"
            case .banned: return "banned_dropped"
            case .authenticationFailures: return "authentication_failures"
            case .oversizedReplies: return "oversized_replies_dropped"
            case .connectionsAccepted: return "connections_accepted"
            case .connectionsRefused: return "connections_refused"
            case .connectionsClosedByServer: return "connections_closed_by_server"
            case .decisionLogDropped: return "decision_log_dropped"
            case .slowSenders: return "slow_senders_closed"
            }
        }

        /// Where a per-request count lives in a `RequestMeter`; nil for the counters kept here.
        var dropReason: DropReason? {
            switch self {
            case .dropped: return .malformed
            case .oversized: return .oversized
            case .rateLimited: return .rateLimited
            case .banned: return .banned
            case .oversizedReplies: return .oversizedReply
            case .decisionLogDropped: return .decisionLog
            case .slowSenders: return .slowSender
            default: return nil
            }
        }
    }

    /// Every worker's per-request counts.
    public let meters = MeterSet()

    // Atomic is non-copyable, so it cannot live in an array: one stored property per counter.
    private let responsesSent = Atomic(0)
    private let responsesIgnored = Atomic(0)
    private let sendErrors = Atomic(0)
    private let connectionsAccepted = Atomic(0)
    private let connectionsRefused = Atomic(0)
    private let connectionsClosedByServer = Atomic(0)

    public init() {}

    private func withCounter<R>(_ name: Name, _ body: (borrowing Atomic<Int>) -> R) -> R? {
        switch name {
        case .responsesSent: return body(responsesSent)
        case .responsesIgnored: return body(responsesIgnored)
        case .sendErrors: return body(sendErrors)
        case .connectionsAccepted: return body(connectionsAccepted)
        case .connectionsRefused: return body(connectionsRefused)
        case .connectionsClosedByServer: return body(connectionsClosedByServer)
        default: return nil
        }
    }

    /// Counts outside any worker's meter; a per-request count made here (a rare event: a banned
    /// connection, a decision log line dropped) goes to the shared meter.
    public func increment(_ name: Name, by amount: Int = 1) {
        if let reason = name.dropReason {
            meters.shared.countDrop(reason, by: amount)
            return
        }
        if name == .authenticationFailures {
            meters.shared.countAuthenticationFailure(by: amount)
            return
        }
        _ = withCounter(name) { $0.wrappingAdd(amount, ordering: .relaxed) }
    }

    public subscript(_ name: Name) -> Int {
        if let reason = name.dropReason { return meters.total(RequestMeter.Slot.drops + reason.rawValue) }
        switch name {
        case .requests:
            return meters.totals(from: RequestMeter.Slot.methods, count: MethodLabel.allCases.count).reduce(0, &+)
        case .authenticationFailures:
            return meters.total(RequestMeter.Slot.authenticationFailures)
        default:
            return withCounter(name) { $0.load(ordering: .relaxed) } ?? 0
        }
    }

    public var summary: String {
        Name.allCases.map { "\($0)=\(self[$0])" }.joined(separator: " ")
    }
}
