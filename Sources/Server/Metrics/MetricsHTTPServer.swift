import Config
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The HTTP listener of `[metrics] listen`, on an event loop thread of its own: whatever arrives here
/// (a flood of connections, slow or oversized requests) costs that thread and never a SIP worker.
/// At most `maximumConnections` are open at once, each gets `requestTimeout` seconds to send its
/// request, and `maximumRequestBytes` of it.
final class MetricsHTTPServer: Sendable {
    static let maximumConnections = 64
    static let requestTimeout = TimeAmount.seconds(5)
    static let maximumRequestBytes = 8 * 1_024

    let localAddress: SocketAddress
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Binds now, so that a port in use fails the start.
    init(address: MetricsAddress, routes: MetricsRoutes, logger: Logger) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let openConnections = OpenCount()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard openConnections.take(limit: Self.maximumConnections) else {
                    logger.debug("metrics: connection refused", metadata: ["why": "\(Self.maximumConnections) are open"])
                    return channel.close()
                }
                let deadline = channel.eventLoop.scheduleTask(in: Self.requestTimeout) { channel.close(promise: nil) }
                // Cancelled at close: a closed connection is not kept for the rest of its 5 s.
                channel.closeFuture.whenComplete { _ in
                    deadline.cancel()
                    openConnections.release()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(RequestSizeLimit(limit: Self.maximumRequestBytes))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(MetricsHTTPHandler(routes: routes))
                }
            }
        do {
            channel = try bootstrap.bind(host: address.host, port: Int(address.port)).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw IOError(call: "bind metrics \(address)", errno: (error as? NIOCore.IOError)?.errnoCode ?? 98)
        }
        guard let bound = channel.localAddress, let local = SocketAddress(nio: bound) else {
            try? group.syncShutdownGracefully()
            throw IOError(call: "bind metrics \(address)", errno: 22)
        }
        localAddress = local
        self.group = group
    }

    /// Closes the listener and every open connection.
    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Open connections, against the limit (taken on the event loop, released when a connection closes).
private final class OpenCount: Sendable {
    private let count = Atomic(0)

    func take(limit: Int) -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() { count.wrappingSubtract(1, ordering: .relaxed) }
}
