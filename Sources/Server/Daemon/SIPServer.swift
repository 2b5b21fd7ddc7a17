import Config
import Dispatch
import Logging
import NIOCore
import NIOPosix
import Registrar
import Routing
import Synchronization

/// The running daemon: listeners on every listen address, the serving dial plan, and reloads.
public final class SIPServer: Sendable {
    public let configDirectory: String
    public let counters = Counters()
    private let plans: PlanStore
    private let listeners: [UDPListener]
    /// TCP and TLS listen addresses, on `streamGroup`'s event loops.
    private let streamListeners: [StreamListener]
    private let streamGroup: MultiThreadedEventLoopGroup?
    private let tls: TLSCredentials?
    private let logger: Logger
    /// The settings the daemon started with; those outside the dial plan apply at the next restart.
    private let serverSettings: ServerSettings
    /// Registered phones: served from memory, written through to `[registrar] store`.
    public let location: LocationService
    private let store: BindingStores.Opened
    /// Expired bindings are never used (lookups skip them); purging them once a minute keeps the index
    /// and the store from growing with phones that went away.
    private let purgeTimer: RepeatingTimer
    /// Seconds since 1970 (the test's clock, or the wall clock): bindings' expiry is judged by it.
    private let clock: @Sendable () -> Double
    private let handler: RequestHandler
    /// `[log] decisions`, opened at start (its path is not reloaded; SIGUSR1 reopens it).
    public let decisionLog: DecisionLog?
    /// `[metrics] listen`: `/metrics` and `/health` (bound at start; not reloaded).
    private let metrics: MetricsService?
    /// What the metrics and health report of the configuration, and whether the daemon is stopping.
    private let status: DaemonStatus

    /// Binds every address (port 0 picks a free port: see `boundAddresses`). Throws when one cannot be
    /// bound, when the workers are too many, or when the registrar store cannot be opened or read (a
    /// cluster's server that does not answer is no such failure: see `BindingStores.Opened`); whatever
    /// was opened by then is closed again. `metrics` is where `/metrics` and `/health` are served
    /// (`[metrics] listen` or its override; nil for nowhere). `workers` overrides `[server] workers` when given. `clock`
    /// (seconds) drives the rate limits, bans and nonces; nil is the wall clock `RequestHandler`
    /// defaults to (tests pass one they move by hand).
    public init(
        configuration: Configuration, configDirectory: String, listen: [ListenAddress], workers: Int? = nil,
        metrics metricsAddress: MetricsAddress? = nil, logger: Logger, clock: (@Sendable () -> Double)? = nil
    ) throws {
        self.configDirectory = configDirectory
        self.logger = logger
        plans = PlanStore(configuration.plan, challengeAlgorithms: configuration.server.challengeAlgorithms)
        let limits = configuration.server.limits
        let nonceLifetime = configuration.server.nonceLifetime
        let now = clock ?? RequestHandler.wallClock
        self.clock = now
        let workersPerAddress = workers ?? configuration.server.workers
        // Every worker keeps a thread of Dispatch's pool (255 threads at most) for good.
        guard workersPerAddress * listen.count <= Self.maximumWorkerThreads else {
            throw TooManyWorkers(workers: workersPerAddress, addresses: listen.count, limit: Self.maximumWorkerThreads)
        }
        // The sockets before the store: a port in use fails the start before any database is touched.
        var sockets: [UDPSocket] = []
        for address in listen where address.transport == .udp {
            guard let socketAddress = SocketAddress(host: address.host, port: address.port) else {
                throw IOError(call: "listen address \(address)", errno: 22)
            }
            sockets.append(try UDPSocket(bindingTo: socketAddress))
        }
        let streamAddresses = listen.filter(\.transport.isStream)
        if streamAddresses.contains(where: { $0.transport == .tls }) {
            guard let settings = configuration.server.tls else { throw TLSLoadError.missingSection }
            tls = try TLSCredentials(settings, configDirectory: configDirectory)
        } else {
            tls = nil
        }
        // Event loops for every connection: as many as the workers (at most one per core), each serving
        // thousands of connections.
        let group =
            streamAddresses.isEmpty
            ? nil : MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(workersPerAddress, System.coreCount)))
        streamGroup = group
        var streamListeners: [StreamListener] = []
        let connections = group.map { _ in ConnectionTable(limits: limits.streams) }
        if let group, let connections {
            // One meter per event loop: every connection on a loop counts in the loop's own.
            var loopMeters: [ObjectIdentifier: RequestMeter] = [:]
            for loop in group.makeIterator() { loopMeters[ObjectIdentifier(loop)] = counters.meters.makeMeter() }
            do {
                for address in streamAddresses {
                    streamListeners.append(
                        try StreamListener(
                            address: address, group: group, tls: address.transport == .tls ? tls : nil, connections: connections,
                            limits: limits.streams, counters: counters, loopMeters: loopMeters, logger: logger))
                }
            } catch {
                for listener in streamListeners { listener.stop() }
                try? group.syncShutdownGracefully()
                throw error
            }
        }
        self.streamListeners = streamListeners
        let opened = try BindingStores.open(configuration.server.bindingStore, configDirectory: configDirectory, logger: logger)
        let location: LocationService
        do {
            location = try opened.startLocation(settings: configuration.server.registrar, now: now(), logger: logger)
        } catch {
            opened.close(logger: logger)
            for listener in streamListeners { listener.stop() }
            try? group?.syncShutdownGracefully()
            throw error
        }
        store = opened
        self.location = location
        var decisionLog: DecisionLog?
        if let file = configuration.server.decisionLog {
            decisionLog = DecisionLog(
                path: file.hasPrefix("/") ? file : "\(configDirectory)/\(file)", counters: counters,
                onError: { [logger] message in logger.error("decision log: \(message)") })
        }
        self.decisionLog = decisionLog
        // Bound before the handler exists: the registrar compares Contacts with the ports the system
        // gave (port 0 picks one), not with the configured ones.
        let handler = RequestHandler(
            plans: plans, counters: counters, logger: logger, limits: limits, nonceLifetime: nonceLifetime,
            location: location, bound: sockets.map(\.localAddress) + streamListeners.map(\.localAddress),
            decisionLog: decisionLog, clock: now)
        self.handler = handler
        serverSettings = configuration.server
        purgeTimer = RepeatingTimer(label: "switchd.registrar.purge", interval: 60) { [location] in
            location.purgeExpired(now: now())
        }
        let counters = counters
        listeners = sockets.map { socket in
            UDPListener(socket: socket, workers: workersPerAddress, handler: handler, counters: counters, logger: logger)
        }
        let status = DaemonStatus(loadedAt: now())
        self.status = status
        if let address = metricsAddress {
            let plans = plans
            let bound = Self.listenAddresses(udp: sockets.map(\.localAddress), streams: streamListeners)
            do {
                metrics = try MetricsService(
                    address: address, meters: counters.meters,
                    snapshot: {
                        var snapshot = MetricsSnapshot(meters: counters.meters)
                        snapshot.activeBans = handler.activeBans
                        snapshot.configuration = status.configuration
                        let live = location.liveBindingCounts(now: now())
                        for customer in plans.plan.customerIDs { snapshot.registrations[customer] = live[customer, default: 0] }
                        for transport in SIPTransport.allCases where transport.isStream {
                            snapshot.connections[transport] = connections?.openConnections(transport) ?? 0
                        }
                        return snapshot
                    },
                    health: { status.health(listeners: bound) }, logger: logger)
            } catch {
                for listener in streamListeners { listener.stop() }
                try? group?.syncShutdownGracefully()
                opened.close(location, logger: logger)
                decisionLog?.close()
                throw error
            }
        } else {
            metrics = nil
        }
    }

    /// The UDP sockets' addresses, in listen order.
    public var boundAddresses: [SocketAddress] { listeners.map(\.socket.localAddress) }

    /// Every listen address as bound (the port the system chose for port 0), UDP first.
    public var boundListenAddresses: [ListenAddress] {
        Self.listenAddresses(udp: listeners.map(\.socket.localAddress), streams: streamListeners)
    }

    /// The UDP sockets' and stream listeners' bound addresses as listen addresses, UDP first: what the
    /// start log, `/health` and the tests name.
    private static func listenAddresses(udp: [SocketAddress], streams: [StreamListener]) -> [ListenAddress] {
        udp.map { ListenAddress(.udp, host: $0.ipAddress.description, port: $0.port) }
            + streams.map {
                ListenAddress($0.address.transport, host: $0.localAddress.ipAddress.description, port: $0.localAddress.port)
            }
    }

    /// Worker threads over all listen addresses.
    public static let maximumWorkerThreads = 64

    /// Threads draining each listen socket.
    public var workerCount: Int { listeners.first?.workerCount ?? 0 }

    public func start() {
        for listener in listeners { listener.start() }
        for listener in streamListeners { listener.start(handler: handler) }
        purgeTimer.start()
        store.follow(into: location, logger: logger, now: clock)
        metrics?.start()
        if let metrics {
            logger.notice("metrics listening", metadata: ["metrics.listen": "\(metrics.localAddress)"])
        }
        logger.notice(
            "switchd listening",
            metadata: [
                "sip.listen": "\(boundListenAddresses.map(\.description).joined(separator: " "))",
                "workers": "\(workerCount)",
                "conf.directory": "\(configDirectory)", "conf.summary": "\(plans.plan.summary)",
            ])
    }

    /// Where `/metrics` and `/health` are served (the port the system chose for port 0), if anywhere.
    public var metricsAddress: SocketAddress? { metrics?.localAddress }

    public func stop() {
        // First: a load balancer polling /health sees 503 while the rest shuts down.
        status.beginStopping()
        for listener in listeners { listener.stop() }
        for listener in streamListeners { listener.stop() }
        // Open connections close with their event loops; a request being handled finishes first.
        try? streamGroup?.syncShutdownGracefully()
        purgeTimer.cancel()
        // Every REGISTER answered 200 is written before the store is closed and the process ends.
        store.close(location, logger: logger)
        // After the listeners: no request adds an entry any more, and every answered one is written.
        decisionLog?.close()
        metrics?.stop()
        logger.notice("switchd stopped", metadata: ["counters": "\(counters.summary)"])
    }

    /// SIGUSR1: the decision log's file is closed and its path opened again (after logrotate moved it).
    public func reopenDecisionLog() {
        guard let decisionLog else { return }
        decisionLog.reopen()
        logger.notice("decision log reopened", metadata: ["path": "\(decisionLog.path)"])
    }

    /// Loads the configuration directory again; on success the new plan serves the next request, on
    /// failure every problem is logged and the old plan keeps serving.
    @discardableResult
    public func reload() -> Bool {
        do {
            let configuration = try ConfigLoader.load(directory: configDirectory)
            // The certificate first: a broken one fails the whole reload, like a broken conf file.
            if let tls {
                guard let settings = configuration.server.tls else {
                    logger.error("\(configDirectory)/switchd.toml: error: [tls] is gone; TLS connections need it until a restart")
                    logger.error("configuration reload failed; the previous configuration keeps serving")
                    status.noteReload(succeeded: false, at: clock())
                    return false
                }
                do {
                    try tls.reload(settings, configDirectory: configDirectory)
                } catch {
                    logger.error("\(configDirectory)/switchd.toml: error: \(error)")
                    logger.error(
                        "configuration reload failed; the previous configuration and certificate keep serving")
                    status.noteReload(succeeded: false, at: clock())
                    return false
                }
            }
            plans.replace(with: configuration.plan)
            plans.challengeAlgorithms = configuration.server.challengeAlgorithms
            status.noteReload(succeeded: true, at: clock())
            logger.notice("configuration reloaded", metadata: ["conf.summary": "\(configuration.plan.summary)"])
            // Compared with the file as it was at start, not with --listen, which overrides it anyway.
            if configuration.server.listen != serverSettings.listen || configuration.server.workers != serverSettings.workers {
                logger.warning("listen addresses or workers changed in switchd.toml; they take effect at the next restart")
            }
            if configuration.server.limits != serverSettings.limits
                || configuration.server.nonceLifetime != serverSettings.nonceLifetime
            {
                logger.warning("[limits] or [auth] nonce_lifetime changed in switchd.toml; they take effect at the next restart")
            }
            if configuration.server.metrics != serverSettings.metrics
                || configuration.server.decisionLog != serverSettings.decisionLog
            {
                logger.warning("[metrics] or [log] changed in switchd.toml; they take effect at the next restart")
            }
            if configuration.server.registrar != serverSettings.registrar
                || configuration.server.bindingStore != serverSettings.bindingStore
            {
                logger.warning("[registrar] changed in switchd.toml; it takes effect at the next restart")
            }
            return true
        } catch {
            for diagnostic in error.diagnostics {
                logger.error("\(diagnostic.description)")
            }
            logger.error(
                "configuration reload failed; the previous configuration keeps serving",
                metadata: [
                    "conf.errors": "\(error.diagnostics.count)"
                ])
            status.noteReload(succeeded: false, at: clock())
            return false
        }
    }

    public var currentPlan: DialPlan { plans.plan }
}

/// More worker threads than `SIPServer.maximumWorkerThreads` were asked for.
public struct TooManyWorkers: Error, CustomStringConvertible {
    public let workers: Int
    public let addresses: Int
    public let limit: Int

    public var description: String {
        "\(workers) workers × \(addresses) listen addresses need \(workers * addresses) threads; at most \(limit) are allowed"
    }
}
