import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One listen address: a UDP socket and `workers` workers draining it, each a long-running work item on
/// its own serial Dispatch queue with its own batch buffers. A worker blocks in `recvmmsg` until a
/// datagram arrives, takes every datagram already waiting with it (up to a batch), handles them
/// (parse, route, format) and sends the batch's replies with one `sendmmsg`.
///
/// Why not a Dispatch read source: a source costs two thread wake-ups per readable event (the event
/// thread's epoll, then a worker thread), which at 10,000 calls a second cost more CPU than routing
/// the calls. A worker blocked in the kernel is woken once, by the datagram itself. The kernel wakes
/// one blocked worker per datagram, so several workers share one socket (and one busy peer, such as
/// an SBC, still spreads over the cores), the way Kamailio's UDP processes do. Each worker holds one
/// thread of Dispatch's pool for as long as the server runs, so `SIPServer` caps workers × addresses.
final class UDPListener: Sendable {
    let socket: UDPSocket
    let workerCount: Int
    private let handler: RequestHandler
    private let counters: Counters
    private let logger: Logger
    private let stopping = Atomic(false)
    private let started = Atomic(false)
    private let running = DispatchGroup()

    /// Datagrams per system call. Large enough that a burst costs a few calls, small enough that the
    /// first reply of a batch waits at most a few hundred microseconds for the last request's handling.
    static let batchSize = 32
    /// Replies sent together at most (the send slots of a batch): fewer system calls than one per reply,
    /// and the first reply of a burst waits for at most this many requests to be handled (about 100 µs).
    static let repliesPerSend = 8

    init(socket: UDPSocket, workers: Int, handler: RequestHandler, counters: Counters, logger: Logger) {
        self.socket = socket
        self.workerCount = max(1, workers)
        self.handler = handler
        self.counters = counters
        self.logger = logger
    }

    /// Starts the workers; call once.
    func start() {
        precondition(!started.exchange(true, ordering: .relaxed), "UDPListener.start() called twice")
        for worker in 0..<workerCount {
            let queue = DispatchQueue(label: "switchd.udp.\(socket.localAddress).\(worker)", qos: .userInteractive)
            running.enter()
            queue.async { [self] in
                serve()
                running.leave()
            }
        }
        // The socket closes when the last worker has returned: none reads a closed descriptor.
        running.notify(queue: .global()) { [socket] in socket.close() }
    }

    /// Stops reading and waits until every worker has finished its batch (and sent its replies) and
    /// returned, which takes at most the socket's receive timeout.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = running.wait(timeout: .now() + .milliseconds(UDPSocket.stopLatencyMilliseconds + 800))
    }

    private func serve() {
        let batch = DatagramBatch(
            capacity: Self.batchSize, sendCapacity: Self.repliesPerSend, slotSize: UDPSocket.maximumDatagram + 1)
        let descriptor = socket.descriptor
        // This worker's own counts: never written by another thread, so never contended.
        let meter = counters.meters.makeMeter()
        let failed = { [counters, logger] (destination: SocketAddress, error: IOError) in
            counters.increment(.sendErrors)
            logger.warning("send failed", metadata: ["sip.destination": "\(destination)", "error": "\(error)"])
        }
        while !stopping.load(ordering: .relaxed) {
            let count: Int
            do {
                count = try batch.receive(descriptor, wait: true)
            } catch {
                logger.error("receive failed", metadata: ["sip.listen": "\(socket.localAddress)", "error": "\(error)"])
                // An error that persists (ENOMEM, say) must not turn the worker into a busy loop.
                usleep(10_000)
                continue
            }
            var sent = 0
            for index in 0..<count {
                let datagram = batch.datagram(index)
                if datagram.truncated {
                    meter.countDrop(.oversized)
                    continue
                }
                guard let reply = handler.handle(Array(datagram.bytes), from: datagram.source, meter: meter) else { continue }
                batch.queue(reply.bytes, to: reply.destination)
                // A burst of requests must not hold back the first replies until the last is handled.
                if batch.isSendFull { sent += batch.flush(descriptor, failed: failed) }
            }
            sent += batch.flush(descriptor, failed: failed)
            if sent > 0 { counters.increment(.responsesSent, by: sent) }
        }
    }
}
