import NIOCore

/// Time limits of a `PostgresBindingStore`. The defaults bound every `load()` and `write(_:)` to a few
/// seconds, so that a location service never waits on a dead server longer than a phone waits for its
/// REGISTER's answer; tests shorten them.
public struct PostgresStoreOptions: Sendable, Equatable {
    /// TCP connect plus PostgreSQL's startup and authentication.
    public var connectTimeout: Duration = .seconds(2)
    /// A whole `load()` or `write(_:)`, connecting included. Past it the call throws and its connection
    /// is closed (the server rolls back whatever the call had begun).
    public var requestTimeout: Duration = .seconds(5)
    /// The change feed's first retry after losing the server; each failed attempt doubles the delay up
    /// to `maximumReconnectDelay`.
    public var firstReconnectDelay: Duration = .milliseconds(100)
    /// At most 1 s: a node hears of its peers' changes (and writes its own backlog) within a second of
    /// the server's return.
    public var maximumReconnectDelay: Duration = .seconds(1)
    /// How often the change feed sends `SELECT 1` on its otherwise idle connection: a server that
    /// vanished without closing the TCP connection (a frozen host, a partition) is noticed within
    /// `heartbeatInterval + requestTimeout`, not never.
    public var heartbeatInterval: Duration = .seconds(5)
    /// Reading only (`switchd registrations`, `route`): no schema migration on connect, and every
    /// session is `default_transaction_read_only`, so the server refuses any write.
    public var readOnly = false

    public init() {}
}

extension Duration {
    /// NIO's time unit. Negative and absurdly long durations are clamped rather than trapping.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return .nanoseconds(0) }
        guard seconds < Int64.max / 1_000_000_000 - 1 else { return .nanoseconds(.max) }
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
