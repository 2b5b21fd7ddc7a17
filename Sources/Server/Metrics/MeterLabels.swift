/// The label values of switchd's metrics. Each is a closed set, so that every series exists from the
/// start (at 0) and a scrape's series never depend on what a peer sent.

/// `switchd_requests_total{method}`: the methods RFC 3261 and its extensions define; anything else is `other`.
enum MethodLabel: Int, CaseIterable {
    case invite, ack, bye, cancel, options, register, prack, subscribe, notify, publish, info, refer, message, update
    case other

    init(_ method: String) {
        // INVITE and ACK first: nearly every request is one of them.
        switch method {
        case "INVITE": self = .invite
        case "ACK": self = .ack
        case "OPTIONS": self = .options
        case "REGISTER": self = .register
        case "BYE": self = .bye
        case "CANCEL": self = .cancel
        case "PRACK": self = .prack
        case "SUBSCRIBE": self = .subscribe
        case "NOTIFY": self = .notify
        case "PUBLISH": self = .publish
        case "INFO": self = .info
        case "REFER": self = .refer
        case "MESSAGE": self = .message
        case "UPDATE": self = .update
        default: self = .other
        }
    }

    var label: String { self == .other ? "other" : "\(self)".uppercased() }
}

/// `switchd_decisions_total{outcome}`: what became of a call (INVITE, OPTIONS to a number).
enum DecisionOutcome: Int, CaseIterable {
    /// A 302 to the conf's contact or to registered phones.
    case redirect
    /// A 302 to the emergency gateway.
    case emergency
    /// Another customer's access code followed by one of its trunk codes (403).
    case foreignTrunk
    /// The Request-URI host is another customer's domain (403).
    case foreignDomain
    /// A trunk call to a class the caller may not call (403 Call Class Barred).
    case barred
    case notFound
    case incomplete
    /// 401: no credentials, wrong ones, a stale nonce.
    case challenged
    /// An extension for registered phones only, none registered (480).
    case unavailable
    /// Valid credentials of a user who is not the From user (403).
    case identityMismatch

    var label: String {
        switch self {
        case .redirect: return "redirect"
        case .emergency: return "emergency"
        case .foreignTrunk: return "foreign_trunk"
        case .foreignDomain: return "foreign_domain"
        case .barred: return "barred"
        case .notFound: return "not_found"
        case .incomplete: return "incomplete"
        case .challenged: return "challenged"
        case .unavailable: return "unavailable"
        case .identityMismatch: return "identity_mismatch"
        }
    }
}

/// `switchd_dropped_total{reason}`: input that got no answer, and why.
enum DropReason: Int, CaseIterable {
    /// A datagram that is not SIP at all, or a stream's bytes with no message header in them.
    case malformed
    /// A datagram over the largest one read (its end was cut), or a stream message header over
    /// `max_message_size`.
    case oversized
    case rateLimited
    /// From a banned address: requests, and connections refused or closed.
    case banned
    /// A decision log line that did not fit in the writer's buffer.
    case decisionLog
    /// A reply too large for UDP (it cannot be sent over a transport switchd does not use there).
    case oversizedReply
    /// A stream message not complete within `message_timeout`: the connection is closed.
    case slowSender

    var label: String {
        switch self {
        case .malformed: return "malformed"
        case .oversized: return "oversized"
        case .rateLimited: return "rate_limited"
        case .banned: return "banned"
        case .decisionLog: return "decision_log"
        case .oversizedReply: return "oversized_reply"
        case .slowSender: return "slow_sender"
        }
    }
}

/// `switchd_request_duration_seconds`: upper bounds in nanoseconds. Handling one request takes tens of
/// microseconds, so the buckets start at 10 µs; the last ones catch a stalled worker.
enum DurationBuckets {
    static let upperBounds: [Int] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000,
        50_000_000, 100_000_000, 250_000_000, 1_000_000_000,
    ]

    /// The bucket of a duration: the first bound at or above it, or `upperBounds.count` for +Inf.
    static func index(ofNanoseconds duration: Int) -> Int {
        var index = 0
        while index < upperBounds.count, duration > upperBounds[index] { index += 1 }
        return index
    }
}
