import Glibc

/// A failed socket call in a test helper.
struct UDPClientError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call): \(String(cString: strerror(code))) (errno \(code))" }
}

/// One datagram received by a test socket, with the address it came from.
struct Datagram {
    let bytes: [UInt8]
    let sourceHost: String
    let sourcePort: UInt16
}

/// A blocking IPv4/IPv6 UDP socket for tests: bind to a given local address (port 0 = ephemeral),
/// `send` to the server, `receive` with a timeout (poll), `expectSilence` = nothing within the window.
/// Closed in `deinit`.
final class UDPClient {
    let descriptor: Int32
    let host: String
    let port: UInt16
    private let family: Int32

    init(host: String = "127.0.0.1", port: UInt16 = 0) throws {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw UDPClientError(call: "socket", code: errno) }
        // Room for the largest datagrams the robustness tests send.
        var size: Int32 = 1 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var storage = try UDPClient.address(host: host, port: port)
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw UDPClientError(call: "bind \(host):\(port)", code: code)
        }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &local) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) }
        }
        self.descriptor = fd
        self.host = host
        self.family = family
        self.port = UDPClient.describe(local).port
    }

    /// A socket on a fixed address (127.0.0.2:5060 ...). Another process (a concurrent test run, a
    /// daemon on 0.0.0.0:5060) may hold it for a moment: retry EADDRINUSE for up to `patience` seconds.
    static func fixed(host: String, port: UInt16, patience: Int = 30) throws -> UDPClient {
        var attempts = 0
        while true {
            do {
                return try UDPClient(host: host, port: port)
            } catch let error as UDPClientError where error.code == EADDRINUSE && attempts < patience * 10 {
                attempts += 1
                usleep(100_000)
            }
        }
    }

    /// host:port as a Via sent-by (IPv6 in brackets).
    var sentBy: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    deinit {
        close(descriptor)
    }

    static func address(host: String, port: UInt16) throws -> sockaddr_storage {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr = v4
                raw.storeBytes(of: address, as: sockaddr_in.self)
            }
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = v6
                raw.storeBytes(of: address, as: sockaddr_in6.self)
            }
        } else {
            throw UDPClientError(call: "inet_pton \(host)", code: EINVAL)
        }
        return storage
    }

    static func describe(_ storage: sockaddr_storage) -> (host: String, port: UInt16) {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        func string(_ text: [CChar]) -> String {
            String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return withUnsafeBytes(of: storage) { raw in
            if Int32(storage.ss_family) == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self)
                inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
                return (string(text), UInt16(bigEndian: address.sin6_port))
            }
            var address = raw.load(as: sockaddr_in.self)
            inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
            return (string(text), UInt16(bigEndian: address.sin_port))
        }
    }

    /// Sends one datagram; throws with the errno (e.g. EMSGSIZE) when the kernel refuses it.
    func send(_ bytes: [UInt8], toHost host: String, port: UInt16) throws {
        var storage = try UDPClient.address(host: host, port: port)
        let length = socklen_t(
            Int32(storage.ss_family) == AF_INET6
                ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bytes.withUnsafeBytes { raw in sendto(descriptor, raw.baseAddress, raw.count, 0, address, length) }
            }
        }
        guard sent == bytes.count else { throw UDPClientError(call: "sendto (\(bytes.count) bytes)", code: errno) }
    }

    func send(_ text: String, toHost host: String, port: UInt16) throws {
        try send(Array(text.utf8), toHost: host, port: port)
    }

    /// The next datagram, or nil when none arrives within `timeout` milliseconds.
    func receive(timeout: Int32 = 2_000) -> Datagram? {
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var remaining = timeout
        while true {
            let ready = poll(&descriptorSet, 1, remaining)
            if ready < 0, errno == EINTR { remaining = min(remaining, 100); continue }
            guard ready > 0 else { return nil }
            break
        }
        var buffer = [UInt8](repeating: 0, count: 70_000)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let received = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
        }
        guard received >= 0 else { return nil }
        let source = UDPClient.describe(storage)
        return Datagram(bytes: Array(buffer[0..<received]), sourceHost: source.host, sourcePort: source.port)
    }

    /// True when no datagram arrives within `window` milliseconds.
    func isSilent(for window: Int32 = 300) -> Bool {
        receive(timeout: window) == nil
    }

    /// Discards whatever is queued.
    func drain() {
        while receive(timeout: 0) != nil {}
    }
}
