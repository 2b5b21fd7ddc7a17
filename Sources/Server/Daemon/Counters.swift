import Synchronization

/// What the daemon has seen, for logs and tests. Relaxed atomics: these are statistics, not locks.
public final class Counters: Sendable {
    public enum Name: Int, CaseIterable, Sendable, CustomStringConvertible {
        case requests, responsesSent, responsesIgnored, dropped, oversized, sendErrors
        case rateLimited, banned, authenticationFailures, oversizedReplies
        case connectionsAccepted, connectionsRefused, connectionsClosedByServer
        case decisionLogDropped

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
            }
        }
    }

    // Atomic is non-copyable, so it cannot live in an array: one stored property per counter.
    private let requests = Atomic(0)
    private let responsesSent = Atomic(0)
    private let responsesIgnored = Atomic(0)
    private let dropped = Atomic(0)
    private let oversized = Atomic(0)
    private let sendErrors = Atomic(0)
    private let rateLimited = Atomic(0)
    private let banned = Atomic(0)
    private let authenticationFailures = Atomic(0)
    private let oversizedReplies = Atomic(0)
    private let connectionsAccepted = Atomic(0)
    private let connectionsRefused = Atomic(0)
    private let connectionsClosedByServer = Atomic(0)
    private let decisionLogDropped = Atomic(0)

    public init() {}

    private func withCounter<R>(_ name: Name, _ body: (borrowing Atomic<Int>) -> R) -> R {
        switch name {
        case .requests: return body(requests)
        case .responsesSent: return body(responsesSent)
        case .responsesIgnored: return body(responsesIgnored)
        case .dropped: return body(dropped)
        case .oversized: return body(oversized)
        case .sendErrors: return body(sendErrors)
        case .rateLimited: return body(rateLimited)
        case .banned: return body(banned)
        case .authenticationFailures: return body(authenticationFailures)
        case .oversizedReplies: return body(oversizedReplies)
        case .connectionsAccepted: return body(connectionsAccepted)
        case .connectionsRefused: return body(connectionsRefused)
        case .connectionsClosedByServer: return body(connectionsClosedByServer)
        case .decisionLogDropped: return body(decisionLogDropped)
        }
    }

    public func increment(_ name: Name, by amount: Int = 1) {
        withCounter(name) { _ = $0.wrappingAdd(amount, ordering: .relaxed) }
    }

    public subscript(_ name: Name) -> Int {
        withCounter(name) { $0.load(ordering: .relaxed) }
    }

    public var summary: String {
        Name.allCases.map { "\($0)=\(self[$0])" }.joined(separator: " ")
    }
}
