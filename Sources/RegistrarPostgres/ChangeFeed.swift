import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import Registrar

/// Other nodes' changes, from `LISTEN switchd_bindings` on a connection of its own (see
/// `PostgresBindingStore.startListening`).
///
/// Every mutable property is touched only on `loop` (the store's one event loop thread), which is what
/// makes the class safe to share (`@unchecked Sendable`); callbacks run on `deliveries`, a serial
/// queue, in the order the rows were read, so that they may block or call the store.
final class ChangeFeed: @unchecked Sendable {
    typealias OnChange = @Sendable ([BindingChange]) -> Void
    typealias OnResync = @Sendable ([Binding]) -> Void

    private let loop: any EventLoop
    private let connector: Connector
    private let nodeID: String
    private let options: PostgresStoreOptions
    private let logger: Logger
    private let reachability: Reachability
    private let onChange: OnChange
    private let onResync: OnResync
    private let deliveries = DispatchQueue(label: "switchd.registrar.postgres-feed")
    private let onDeliveryQueue = DispatchSpecificKey<Bool>()
    /// Cleared by `stop()` before anything else, so that no callback starts after it.
    private let delivering = NIOLockedValueBox(true)

    // Confined to `loop`.
    private var connection: PostgresConnection?
    private var opening: EventLoopFuture<PostgresConnection>?
    private var retry: Scheduled<Void>?
    private var heartbeat: Scheduled<Void>?
    private var delay: TimeAmount
    private var stopped = false
    private var listening = false
    /// The last non-outage failure warned of: the same one again (every retry) is not logged again.
    private var lastWarning: String?

    init(
        loop: any EventLoop, connector: Connector, nodeID: String, options: PostgresStoreOptions, logger: Logger,
        reachability: Reachability, onChange: @escaping OnChange, onResync: @escaping OnResync
    ) {
        self.loop = loop
        self.connector = connector
        self.nodeID = nodeID
        self.options = options
        self.logger = logger
        self.reachability = reachability
        self.onChange = onChange
        self.onResync = onResync
        self.delay = options.firstReconnectDelay.timeAmount
        deliveries.setSpecific(key: onDeliveryQueue, value: true)
    }

    func start() {
        loop.execute { self.connect() }
    }

    /// Closes the connection and cancels every retry; completes when the connection is closed.
    func stop() -> EventLoopFuture<Void> {
        delivering.withLockedValue { $0 = false }
        return loop.flatSubmit {
            self.stopped = true
            self.retry?.cancel()
            self.heartbeat?.cancel()
            var closing: [EventLoopFuture<Void>] = []
            if let connection = self.connection {
                self.connection = nil
                closing.append(connection.closeNow())
            }
            if let opening = self.opening {
                closing.append(opening.flatMap { $0.closeNow() })
            }
            return EventLoopFuture.andAllComplete(closing, on: self.loop)
        }
    }

    /// Waits for a callback that is running to return, unless called from one (which would deadlock).
    func drainDeliveries() {
        guard DispatchQueue.getSpecific(key: onDeliveryQueue) == nil else { return }
        deliveries.sync {}
    }

    // MARK: Connecting

    private func connect() {
        loop.assertInEventLoop()
        guard !stopped else { return }
        let opening = connector.open(on: loop, by: .now() + options.requestTimeout.timeAmount)
        self.opening = opening
        opening.hop(to: loop).whenComplete { result in
            self.opening = nil
            switch result {
            case .failure(let error):
                self.failed(self.connector.storeError(error, operation: "connecting", connecting: true))
            case .success(let connection):
                guard !self.stopped else {
                    connection.closeNow()
                    return
                }
                self.subscribe(connection)
            }
        }
    }

    private func subscribe(_ connection: PostgresConnection) {
        connection.eventLoop.assertInEventLoop()
        self.connection = connection
        connection.closeFuture.hop(to: loop).whenComplete { _ in self.lost(connection) }
        // PostgresNIO sends the LISTEN itself, and calls back on the connection's loop, which is ours.
        connection.addListener(channel: PostgresBindingStore.channel) { _, notification in
            self.received(notification.payload, on: connection)
        }
        // Queued behind that LISTEN, so this snapshot is taken with the subscription in force: whatever
        // commits after it is notified, whatever committed before it is in it. Nothing falls between.
        readAll(on: connection) {
            self.delay = self.options.firstReconnectDelay.timeAmount
            if !self.listening {
                self.listening = true
                self.logger.info(
                    "PostgreSQL change feed listening",
                    metadata: ["postgres.server": "\(self.connector.server)", "registrar.node": "\(self.nodeID)"])
            }
            self.lastWarning = nil
            self.reachability.succeeded()
            self.scheduleHeartbeat(on: connection)
        }
    }

    private func lost(_ connection: PostgresConnection) {
        loop.assertInEventLoop()
        guard connection === self.connection else { return }
        self.connection = nil
        heartbeat?.cancel()
        guard !stopped else { return }
        failed(.unreachable(server: connector.server, reason: "the connection to the server was lost"))
    }

    private func failed(_ error: PostgresStoreError) {
        loop.assertInEventLoop()
        guard !stopped else { return }
        if error.isOutage {
            reachability.failed(error)
        } else {
            let description = "\(error)"
            if description != lastWarning {
                lastWarning = description
                logger.warning("PostgreSQL change feed failed; retrying", metadata: ["postgres.error": "\(description)"])
            }
        }
        let wait = delay
        delay = min(delay * 2, options.maximumReconnectDelay.timeAmount)
        retry = loop.scheduleTask(in: wait) { self.connect() }
    }

    /// A `SELECT 1` every `heartbeatInterval` on the idle connection; one that fails or takes longer
    /// than `requestTimeout` closes it, and `lost` reconnects.
    private func scheduleHeartbeat(on connection: PostgresConnection) {
        heartbeat = loop.scheduleTask(in: options.heartbeatInterval.timeAmount) {
            guard connection === self.connection else { return }
            connection.query("SELECT 1", logger: self.logger).map { _ in () }.within(
                .now() + self.options.requestTimeout.timeAmount, operation: "heartbeat",
                seconds: self.options.requestTimeout.secondsValue
            ).hop(to: self.loop).whenComplete { result in
                switch result {
                case .success: self.scheduleHeartbeat(on: connection)
                case .failure: connection.closeNow()
                }
            }
        }
    }

    // MARK: Notifications

    private func received(_ payload: String, on connection: PostgresConnection) {
        loop.assertInEventLoop()
        guard connection === self.connection, !stopped else { return }
        guard let notice = ChangeNotice.decode(payload) else {
            logger.warning(
                "PostgreSQL change feed got a notification it cannot read; reading every binding again",
                metadata: ["postgres.payload": "\(payload.prefix(200))"])
            readAll(on: connection) {}
            return
        }
        guard notice.node != nodeID else { return }
        switch notice.content {
        case .resync:
            readAll(on: connection) {}
        case .aors(let aors):
            read(aors, on: connection)
        }
    }

    /// Every row, delivered to `onResync`; then `done` on the loop. A failure closes the connection, so
    /// that the reconnect reads everything again rather than leave this copy stale.
    private func readAll(on connection: PostgresConnection, then done: @escaping @Sendable () -> Void) {
        query(BindingSQL.selectAll, on: connection, operation: "resync") { bindings in
            self.deliver { $0.onResync(bindings) }
            done()
        }
    }

    private func read(_ aors: [AddressOfRecord], on connection: PostgresConnection) {
        query(BindingSQL.select(aors), on: connection, operation: "reading changed bindings") { bindings in
            let changes = BindingSQL.changes(for: aors, from: bindings)
            self.deliver { $0.onChange(changes) }
        }
    }

    private func query(
        _ query: PostgresQuery, on connection: PostgresConnection, operation: String,
        then use: @escaping @Sendable ([Binding]) -> Void
    ) {
        connection.query(query, logger: logger)
            .flatMapThrowing { result in try result.map(BindingSQL.binding(from:)) }
            .within(
                .now() + options.requestTimeout.timeAmount, operation: operation,
                seconds: options.requestTimeout.secondsValue
            )
            .hop(to: loop)
            .whenComplete { result in
                guard connection === self.connection, !self.stopped else { return }
                switch result {
                case .success(let bindings):
                    use(bindings)
                case .failure(let error):
                    let error = self.connector.storeError(error, operation: operation, connecting: false)
                    if !error.isOutage {
                        self.logger.warning(
                            "PostgreSQL change feed could not read bindings; reconnecting",
                            metadata: ["postgres.error": "\(error)"])
                    }
                    connection.closeNow()
                }
            }
    }

    private func deliver(_ call: @escaping @Sendable (ChangeFeed) -> Void) {
        deliveries.async {
            guard self.delivering.withLockedValue({ $0 }) else { return }
            call(self)
        }
    }
}
