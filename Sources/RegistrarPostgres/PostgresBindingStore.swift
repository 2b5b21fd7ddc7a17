import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import Registrar
import RegistrarPostgresURL

/// A `BindingStore` in PostgreSQL, shared by a cluster of switchd nodes (issue 10).
///
/// - Table `switchd_bindings`, keyed by (customer, extension, contact), created or migrated on each
///   new connection (see `Schema`).
/// - `write(_:)` applies its changes in one transaction that ends with `pg_notify('switchd_bindings',
///   …)` naming this node and the AORs changed (see `ChangeNotice`), so listeners hear of a change only
///   once it is committed, and never of one rolled back.
/// - `startListening` delivers the other nodes' changes.
///
/// The calls are synchronous, as `BindingStore` is: each blocks its caller's thread until PostgreSQL
/// answers or `PostgresStoreOptions.requestTimeout` passes (see `Blocking` for why that is safe). They
/// are serialised on one connection, opened on first use and again after it is lost. Call `close()`
/// when done: it ends every connection and the store's event loop thread.
public final class PostgresBindingStore: BindingStore {
    /// The NOTIFY channel every node writes to and listens on.
    public static let channel = "switchd_bindings"
    public static let maximumNodeIDLength = 64

    public let url: PostgresURL
    /// Names this node in its notifications, so that its listener can skip its own changes; unique
    /// per running store (the default is host name, process ID and a random suffix).
    public let nodeID: String

    let options: PostgresStoreOptions
    let logger: Logger
    /// One thread: every connection of the store, writes and change feed, lives on it.
    let group: MultiThreadedEventLoopGroup
    let connector: Connector
    let reachability: Reachability
    private let session = Session()
    let lifecycle = NIOLockedValueBox(Lifecycle())

    /// The write connection. `lock` is held for a whole call, so one transaction at a time uses it.
    private final class Session: @unchecked Sendable {
        let lock = NIOLock()
        var connection: PostgresConnection?  // guarded by lock
    }

    struct Lifecycle {
        var closed = false
        var feed: ChangeFeed?
    }

    /// Parses `url` (see `PostgresURL` for the forms); connects only when first used.
    public convenience init(
        url: String, nodeID: String = PostgresBindingStore.defaultNodeID(), options: PostgresStoreOptions = .init(),
        logger: Logger
    ) throws(PostgresStoreError) {
        let parsed: PostgresURL
        do {
            parsed = try PostgresURL(parsing: url)
        } catch {
            throw .badURL(error)
        }
        try self.init(url: parsed, nodeID: nodeID, options: options, logger: logger)
    }

    public init(
        url: PostgresURL, nodeID: String = PostgresBindingStore.defaultNodeID(), options: PostgresStoreOptions = .init(),
        logger: Logger
    ) throws(PostgresStoreError) {
        try Self.check(nodeID: nodeID)
        self.url = url
        self.nodeID = nodeID
        self.options = options
        var logger = logger
        logger[metadataKey: "registrar.node"] = "\(nodeID)"
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.connector = Connector(url: url, nodeID: nodeID, options: options, logger: logger)
        self.reachability = Reachability(logger: logger, server: url.serverDescription)
    }

    /// `HOST-PID-XXXXXXXX`: distinct for every store, also for two in one process. (gethostname, not
    /// Foundation's `hostName`, which may wait on DNS.)
    public static func defaultNodeID() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let named = gethostname(&buffer, buffer.count - 1) == 0
        let host = named ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(host.isEmpty ? "switchd" : String(host.prefix(40)))-\(getpid())-\(suffix)"
    }

    static func check(nodeID: String) throws(PostgresStoreError) {
        guard !nodeID.isEmpty else { throw .badNodeID("is empty") }
        guard nodeID.utf8.count <= maximumNodeIDLength else {
            throw .badNodeID("is longer than \(maximumNodeIDLength) bytes")
        }
        guard !nodeID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .badNodeID("has a control character")
        }
    }

    // MARK: BindingStore

    public func load() throws(PostgresStoreError) -> [Binding] {
        let logger = logger
        return try perform("load") { connection in
            connection.query(BindingSQL.selectAll, logger: logger).flatMapThrowing { result in
                try result.map(BindingSQL.binding(from:))
            }
        }
    }

    public func write(_ changes: [BindingChange]) throws(PostgresStoreError) {
        guard !changes.isEmpty else {
            try checkOpen()
            return
        }
        let changed = changes.compactMap(\.changedAOR)
        let statements =
            changes.map(BindingSQL.statement(for:))
            + (changed.isEmpty ? [] : [BindingSQL.notify(ChangeNotice.payload(node: nodeID, aors: changed))])
        let logger = logger
        try perform("write") { connection in
            connection.inTransaction(logger: logger) { connection.runInOrder(statements, logger: logger) }
        }
    }

    /// The schema version the database holds (for tests of the migration).
    func schemaVersion() throws(PostgresStoreError) -> Int {
        let logger = logger
        return try perform("reading the schema version") { Schema.readVersion($0, logger: logger) }
    }

    /// Sends the outage and recovery reports to `observer` instead of the log (the daemon's location
    /// service, which logs one line per outage for all its evidence).
    public func reportReachability(to observer: @escaping @Sendable (PostgresReachability) -> Void) {
        reachability.report(to: observer)
    }

    // MARK: Shutdown

    /// Ends the change feed, closes every connection and stops the store's event loop thread. Calls after
    /// it throw `.closed`. Waits for a call in progress on another thread (at most `requestTimeout`);
    /// on an event loop thread, where it must not wait, it only starts the shutdown.
    public func close() {
        let feed: ChangeFeed?? = lifecycle.withLockedValue { state in
            guard !state.closed else { return .none }
            state.closed = true
            defer { state.feed = nil }
            return .some(state.feed)
        }
        guard case .some(let feed) = feed else { return }
        if let feed { stop(feed) }
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            // Shutting the group down closes every channel on it without waiting here.
            group.shutdownGracefully { _ in }
            return
        }
        session.lock.withLock {
            if let connection = session.connection {
                _ = try? connection.closeNow().wait()
                session.connection = nil
            }
        }
        try? group.syncShutdownGracefully()
    }

    deinit {
        close()
    }

    // MARK: Calls

    private func checkOpen() throws(PostgresStoreError) {
        guard !lifecycle.withLockedValue({ $0.closed }) else { throw .closed }
    }

    /// Runs `body` on the write connection (opened first when there is none), blocking until it
    /// completes or `requestTimeout` passes. A connection that timed out or was lost is closed and
    /// forgotten: it may be in the middle of a transaction, and is never used again.
    private func perform<Value: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) -> EventLoopFuture<Value>
    ) throws(PostgresStoreError) -> Value {
        try Blocking.checkNotOnEventLoop()
        session.lock.lock()
        defer { session.lock.unlock() }
        try checkOpen()
        // One deadline for the whole call, connecting included.
        let deadline = NIODeadline.now() + options.requestTimeout.timeAmount
        let connection: PostgresConnection
        if let open = session.connection, !open.isClosed {
            connection = open
        } else {
            session.connection = nil
            do {
                connection = try Blocking.wait(connector.open(on: group.next(), by: deadline))
            } catch {
                let failure = connector.storeError(error, operation: "connecting", connecting: true)
                reachability.failed(failure)
                throw failure
            }
            session.connection = connection
        }
        do {
            let value = try Blocking.wait(
                body(connection).within(deadline, operation: operation, seconds: options.requestTimeout.secondsValue))
            reachability.succeeded()
            return value
        } catch {
            let failure = connector.storeError(error, operation: operation, connecting: false)
            if failure.isOutage || connection.isClosed {
                connection.closeNow()
                session.connection = nil
            }
            reachability.failed(failure)
            throw failure
        }
    }
}
