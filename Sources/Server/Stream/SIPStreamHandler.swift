import Addressing
import Config
import Logging
import NIOCore
import SIP

/// One TCP or TLS connection: its bytes framed into messages (RFC 3261 §18.3), each handled by the
/// same `RequestHandler` as a datagram, the reply written back on this connection (§18.2.2).
///
/// Closed when the peer sends what cannot be framed (after the answer), when a message takes longer
/// than `message_timeout` to arrive whole (slow senders), after `idle_timeout` of silence (through
/// the `IdleStateHandler` in front of it), and when its address gets banned.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: RequestHandler
    private let transport: SIPTransport
    private let source: SocketAddress
    private let limits: StreamLimits
    private let counters: Counters
    /// The event loop's meter: every connection of one loop counts in the same one.
    private let meter: RequestMeter
    private let logger: Logger
    private var framer: StreamFramer
    /// Messages completed so far: the slow-sender timer checks that the message it was started for is
    /// still the one being received.
    private var completed = 0
    private var slowSenderTimerFor: Int?
    private var closing = false

    /// The CRLF that answers a keep-alive ping (RFC 5626 §4.4.1).
    private static let pong: [UInt8] = [13, 10]

    init(
        handler: RequestHandler, transport: SIPTransport, source: SocketAddress, limits: StreamLimits, counters: Counters,
        meter: RequestMeter, logger: Logger
    ) {
        self.handler = handler
        self.transport = transport
        self.source = source
        self.limits = limits
        self.counters = counters
        self.meter = meter
        self.logger = logger
        framer = StreamFramer(maximumMessage: limits.maxMessageBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { framer.append($0) }
        var wrote = false
        while let frame = framer.next() {
            switch frame {
            case .message(let bytes):
                completed += 1
                if let reply = handler.handle(bytes, from: source, transport: transport, meter: meter) {
                    write(reply.bytes, context: context)
                    counters.increment(.responsesSent)
                    wrote = true
                }
                if handler.isBanned(source.ipAddress) {
                    close(context, why: "the address is banned", flush: wrote)
                    return
                }
            case .keepAlive:
                write(Self.pong, context: context)
                wrote = true
            case .unframeable(let header, let error):
                if let reply = handler.answerUnframeable(header: header, error, from: source, meter: meter) {
                    write(reply.bytes, context: context)
                    counters.increment(.responsesSent)
                }
                close(context, why: "a message that cannot be framed", flush: true)
                return
            case .overflow:
                meter.countDrop(.oversized)
                close(context, why: "no message header within \(limits.maxMessageBytes) bytes", flush: wrote)
                return
            }
        }
        if wrote { context.flush() }
        if framer.isInsideMessage { startSlowSenderTimer(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            close(context, why: "idle for \(limits.idleTimeout) s", flush: false)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset by the peer, a failed TLS handshake: the connection is over, nothing to answer.
        logger.debug("stream error", metadata: ["sip.source": "\(source)", "sip.transport": "\(transport)", "error": "\(error)"])
        close(context, why: "error", flush: false)
    }

    /// Writes are flushed once per read (a pipelined burst becomes one send).
    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// A message must arrive whole within `message_timeout` of the read that began it; a sender that
    /// trickles bytes (slowloris) holds the connection no longer than that.
    private func startSlowSenderTimer(_ context: ChannelHandlerContext) {
        guard slowSenderTimerFor != completed else { return }
        let message = completed
        slowSenderTimerFor = message
        let timeout = TimeAmount.nanoseconds(Int64(limits.messageTimeout * 1e9))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard handler.completed == message, handler.framer.isInsideMessage else { return }
            handler.meter.countDrop(.slowSender)
            handler.close(context, why: "a message not complete within \(handler.limits.messageTimeout) s", flush: false)
        }
    }

    private func close(_ context: ChannelHandlerContext, why: String, flush: Bool) {
        guard !closing else { return }
        closing = true
        counters.increment(.connectionsClosedByServer)
        logger.debug(
            "closing a connection", metadata: ["sip.source": "\(source)", "sip.transport": "\(transport)", "why": "\(why)"])
        if flush {
            // Closing at once would discard the answer still queued; close once it is written.
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }
}
