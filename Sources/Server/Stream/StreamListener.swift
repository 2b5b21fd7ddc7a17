import Addressing
import Config
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A TCP or TLS listen address on SwiftNIO: accepts connections, admits them against the connection
/// limits and bans, and gives each its own pipeline (TLS when `tls:`, the idle timer, the SIP framer
/// and handler). Every connection's handling runs on one of the group's event loops; `RequestHandler`
/// never blocks, so a loop serves thousands of connections.
final class StreamListener: Sendable {
    let address: ListenAddress
    let localAddress: SocketAddress
    private let channel: any Channel
    /// Set by `start`: the handler needs every bound address (the registrar's own-address check), so
    /// it exists only once this listener is bound.
    private let handler = HandlerSlot()

    /// Binds now (so a port in use fails the start); connections are accepted from `start` on.
    init(
        address: ListenAddress, group: MultiThreadedEventLoopGroup, tls: TLSCredentials?, connections: ConnectionTable,
        limits: StreamLimits, counters: Counters, loopMeters: [ObjectIdentifier: RequestMeter], logger: Logger
    ) throws {
        self.address = address
        let transport = address.transport
        let serving = handler
        let bootstrap = ServerBootstrap(group: group)
            // Nothing is accepted before `start`.
            .serverChannelOption(.autoRead, value: false)
            .serverChannelOption(.backlog, value: 1_024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Fixed kernel buffers (Linux would grow them to several MB per connection): what thousands
            // of connections can hold in the kernel stays bounded, and a peer that stops reading is
            // held back after a few hundred KB. 256 KiB each way carries a busy SBC's trunk at WAN delays.
            .childChannelOption(.socketOption(.so_rcvbuf), value: 256 * 1_024)
            .childChannelOption(.socketOption(.so_sndbuf), value: 256 * 1_024)
            // Replies wait in the channel's buffer only as long as the peer reads them; beyond the
            // high mark the connection stops being read (the `BackPressureHandler` in its pipeline) until
            // the queue is below the low mark again.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 * 1_024, high: 256 * 1_024))
            .childChannelInitializer { channel in
                guard let handler = serving.value.withLock({ $0 }), let remote = channel.remoteAddress,
                    let source = SocketAddress(nio: remote)
                else {
                    return channel.close()
                }
                let ip = source.ipAddress
                if handler.isBanned(ip) {
                    counters.increment(.banned)
                    return channel.close()
                }
                if let refusal = connections.admit(ip, transport: transport) {
                    counters.increment(.connectionsRefused)
                    logger.debug("connection refused", metadata: ["sip.source": "\(source)", "why": "\(refusal)"])
                    return channel.close()
                }
                counters.increment(.connectionsAccepted)
                channel.closeFuture.whenComplete { _ in connections.release(ip, transport: transport) }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    let idle = TimeAmount.nanoseconds(Int64(limits.idleTimeout * 1e9))
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    // NIO reads on however full the queue of replies is: without this, a peer that sends
                    // requests or pings and never reads the answers grows the daemon without bound.
                    // While it is not read, the idle timer runs: such a peer is closed after idle_timeout.
                    try pipeline.addHandler(BackPressureHandler())
                    try pipeline.addHandler(
                        SIPStreamHandler(
                            handler: handler, transport: transport, source: source, limits: limits, counters: counters,
                            meter: loopMeters[ObjectIdentifier(channel.eventLoop)] ?? counters.meters.shared, logger: logger))
                }
            }
        do {
            channel = try bootstrap.bind(host: address.host, port: Int(address.port)).wait()
        } catch {
            throw IOError(call: "bind \(address)", errno: (error as? IOError)?.errno ?? 98)
        }
        guard let bound = channel.localAddress, let local = SocketAddress(nio: bound) else {
            throw IOError(call: "bind \(address)", errno: 22)
        }
        localAddress = local
    }

    /// Accepts connections from now on, each handled by `handler`.
    func start(handler: RequestHandler) {
        self.handler.value.withLock { $0 = handler }
        channel.setOption(.autoRead, value: true).whenSuccess { [channel] in channel.read() }
    }

    /// Stops accepting; open connections close with the event loop group.
    func stop() {
        try? channel.close().wait()
    }
}

/// A reference the connection initialiser and `start` share (a `Mutex` alone cannot be captured).
private final class HandlerSlot: Sendable {
    let value = Mutex<RequestHandler?>(nil)
}

extension SocketAddress {
    /// From NIO's socket address (IPv4 or IPv6 only).
    init?(nio address: NIOCore.SocketAddress) {
        guard let ip = address.ipAddress, let port = address.port, let value = UInt16(exactly: port) else { return nil }
        self.init(host: ip, port: value)
    }
}
