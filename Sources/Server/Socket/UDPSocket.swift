import Glibc
import Synchronization

/// A bound UDP socket: receives block for at most `stopLatencyMilliseconds`, sends never block (they
/// pass MSG_DONTWAIT). Closed exactly once, in `deinit` or by `close()`, from whichever thread.
final class UDPSocket: Sendable {
    // Reads and sends on one UDP socket from several threads are safe at the kernel level.
    let descriptor: Int32
    let localAddress: SocketAddress
    private let closed = Atomic(false)

    /// The largest SIP message accepted over UDP (RFC 3261 §18.1.1 leaves this to the transport).
    static let maximumDatagram = 65_535
    /// How long a blocked worker may take to notice `stop()`.
    static let stopLatencyMilliseconds = 200

    init(bindingTo address: SocketAddress) throws(IOError) {
        let fd = try SystemCalls.socket(family: address.family, type: Int32(SOCK_DGRAM.rawValue))
        do {
            // No SO_REUSEADDR: UDP has no TIME_WAIT to wait out, and with it a second daemon started on
            // the same port would bind without a word and take a share of the calls.
            if address.family == AF_INET6 {
                // An IPv6 listen address serves IPv6 only; IPv4 gets its own listen entry.
                try SystemCalls.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
            }
            // Room for bursts (the default drops datagrams under load tests), but not so much that a
            // flood queues seconds of work ahead of the trusted callers' requests.
            try? SystemCalls.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, value: 1 << 20)
            // Workers block in recvmmsg; the timeout lets them notice a stop within this time.
            try SystemCalls.setReceiveTimeout(fd, milliseconds: UDPSocket.stopLatencyMilliseconds)
            try SystemCalls.bind(fd, address)
            self.localAddress = try SystemCalls.localAddress(fd)
        } catch {
            SystemCalls.close(fd)
            throw error
        }
        self.descriptor = fd
    }

    func close() {
        // exchange: two threads closing at once must not both close (the number may be reused by then).
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        SystemCalls.close(descriptor)
    }

    deinit {
        close()
    }
}
