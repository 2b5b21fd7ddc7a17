@preconcurrency import Dispatch
import Logging

/// One listen address: a non-blocking UDP socket and a Dispatch read source that drains every datagram
/// waiting when it fires. No thread per request: each listener handles its datagrams in turn on its
/// own serial queue, and the work per datagram is bounded (parse, route, format, one send).
final class UDPListener: @unchecked Sendable {
    // @unchecked: DispatchSource is thread-safe (resume/cancel may be called from any thread) but is not
    // annotated Sendable; every other property is immutable.
    let socket: UDPSocket
    private let source: DispatchSourceRead
    private let queue: DispatchQueue

    init(socket: UDPSocket, handler: RequestHandler, counters: Counters, logger: Logger) {
        self.socket = socket
        let queue = DispatchQueue(label: "switchd.udp.\(socket.localAddress)", qos: .userInteractive)
        self.queue = queue
        source = DispatchSource.makeReadSource(fileDescriptor: socket.descriptor, queue: queue)
        // One receive buffer per listener, touched only on its serial queue; one byte more than the
        // largest accepted message so that MSG_TRUNC tells oversized datagrams apart.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: UDPSocket.maximumDatagram + 1, alignment: 16)
        let descriptor = socket.descriptor
        source.setEventHandler {
            // Drain what is waiting, but yield after a batch so a flood on one socket cannot starve the
            // queue's other work (signal handling runs elsewhere, reload swaps are lock-protected).
            for _ in 0..<512 {
                let datagram: (length: Int, source: SocketAddress, truncated: Bool)?
                do {
                    datagram = try SystemCalls.receive(descriptor, into: buffer)
                } catch {
                    logger.error("receive failed", metadata: ["sip.listen": "\(socket.localAddress)", "error": "\(error)"])
                    return
                }
                guard let datagram else { return }
                if datagram.truncated || datagram.length > UDPSocket.maximumDatagram {
                    counters.increment(.oversized)
                    continue
                }
                let bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<datagram.length]))
                guard let reply = handler.handle(bytes, from: datagram.source) else { continue }
                do {
                    try SystemCalls.send(descriptor, reply.bytes, to: reply.destination)
                    counters.increment(.responsesSent)
                } catch {
                    counters.increment(.sendErrors)
                    logger.warning("send failed", metadata: ["sip.destination": "\(reply.destination)", "error": "\(error)"])
                }
            }
        }
        source.setCancelHandler {
            buffer.deallocate()
            socket.close()
        }
    }

    func start() {
        source.resume()
    }

    /// Stops reading; the socket is closed once the source has finished its current batch.
    func stop() {
        source.cancel()
    }
}
