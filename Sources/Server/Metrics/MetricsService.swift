import Config
import Logging

/// `[metrics] listen`: the exporter, its HTTP listener, and the fold of the workers' request durations
/// into the exporter once a second, so that a scrape replays at most a second of them. Everything else
/// (and the walks it needs: bindings per customer, active bans) is read at a scrape only.
final class MetricsService: Sendable {
    let exporter = MetricsExporter()
    private let server: MetricsHTTPServer
    private let fold: RepeatingTimer

    /// Binds `address` now (a port in use fails the start). `snapshot` reads the daemon's counts and
    /// state; `health` says whether it is serving, with the health document.
    init(
        address: MetricsAddress, meters: MeterSet, snapshot: @escaping @Sendable () -> MetricsSnapshot,
        health: @escaping @Sendable () -> (serving: Bool, body: [UInt8]), logger: Logger
    ) throws {
        let exporter = exporter
        exporter.publish(snapshot())
        let routes = MetricsRoutes(
            metrics: {
                exporter.publish(snapshot())
                return exporter.exposition()
            }, health: health)
        server = try MetricsHTTPServer(address: address, routes: routes, logger: logger)
        fold = RepeatingTimer(label: "switchd.metrics.fold", interval: 1) {
            exporter.publishDurations(MetricsSnapshot(meters: meters))
        }
    }

    var localAddress: SocketAddress { server.localAddress }

    func start() { fold.start() }

    func stop() {
        fold.cancel()
        server.stop()
    }
}
