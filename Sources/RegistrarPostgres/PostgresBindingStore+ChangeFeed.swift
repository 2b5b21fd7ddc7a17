import NIOCore
import NIOPosix
import Registrar

extension PostgresBindingStore {
    /// Starts delivering the bindings other nodes change; returns at once and connects in the background.
    ///
    /// - `onResync(all)` first, once `LISTEN` is in force: every stored row, read after the
    ///   subscription, so nothing committed in between is missed (a caller may use it instead of
    ///   `load()`). Again after each reconnect (changes may have been missed while the connection was
    ///   down), and when a node sends the resync marker (a write of too many AORs for one notification).
    /// - `onChange(changes)` for each notification from another node: per AOR it names, in its order,
    ///   `.removeAll(aor)` then `.upsert` of each binding stored now (the AOR's whole state, read after
    ///   the writer committed; applying it twice is harmless). This node's own writes are not delivered.
    ///
    /// Callbacks run one at a time, in order, on a serial queue of the feed: never on an event loop
    /// thread, so they may block or call `load`/`write`. While the server is down the feed reconnects
    /// with backoff (`PostgresStoreOptions.firstReconnectDelay` doubling to `maximumReconnectDelay`); the
    /// outage and the recovery are logged once each. Throws `.alreadyListening` on a second call,
    /// `.closed` after `close()`.
    public func startListening(
        onChange: @escaping @Sendable ([BindingChange]) -> Void,
        onResync: @escaping @Sendable ([Binding]) -> Void
    ) throws(PostgresStoreError) {
        let feed = ChangeFeed(
            loop: group.next(), connector: connector, nodeID: nodeID, options: options, logger: logger,
            reachability: reachability, onChange: onChange, onResync: onResync)
        let outcome: PostgresStoreError? = lifecycle.withLockedValue { state in
            if state.closed { return .closed }
            if state.feed != nil { return .alreadyListening }
            state.feed = feed
            return nil
        }
        if let outcome { throw outcome }
        feed.start()
    }

    /// Stops the change feed; no callback starts after it returns, and none is still running (unless
    /// called from a callback). `startListening` may be called again.
    public func stopListening() {
        let feed = lifecycle.withLockedValue { state in
            defer { state.feed = nil }
            return state.feed
        }
        guard let feed else { return }
        stop(feed)
    }

    /// Stops `feed`, waiting for it unless on an event loop thread (where only the stop is started).
    func stop(_ feed: ChangeFeed) {
        if MultiThreadedEventLoopGroup.currentEventLoop == nil {
            _ = try? feed.stop().wait()
            feed.drainDeliveries()
        } else {
            _ = feed.stop()
        }
    }
}
