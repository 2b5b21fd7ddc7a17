import Glibc

/// A failed system call: which one and its errno.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Every socket system call goes through these wrappers: they retry on EINTR and turn -1 into a thrown
/// `IOError`, so callers never look at errno themselves.
enum SystemCalls {
    @discardableResult
    static func retrying(_ call: String, _ body: () -> Int) throws(IOError) -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw IOError(call: call, errno: code)
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds (a vDSO call, no system call): what request handling times are
    /// measured with. Never goes back, whatever NTP does to the wall clock.
    static func monotonicNanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec &* 1_000_000_000 &+ now.tv_nsec
    }

    static func socket(family: Int32, type: Int32) throws(IOError) -> Int32 {
        Int32(try retrying("socket") { Int(Glibc.socket(family, type, 0)) })
    }

    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(IOError) {
        var value = value
        try retrying("setsockopt") {
            Int(setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)))
        }
    }

    /// A blocking receive on `fd` returns EAGAIN after this long without a datagram.
    static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) throws(IOError) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try retrying("setsockopt(SO_RCVTIMEO)") {
            Int(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)))
        }
    }

    static func bind(_ fd: Int32, _ address: SocketAddress) throws(IOError) {
        try retrying("bind") { address.withSockaddr { pointer, length in Int(Glibc.bind(fd, pointer, length)) } }
    }

    static func localAddress(_ fd: Int32) throws(IOError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try retrying("getsockname") {
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in Int(getsockname(fd, raw, &length)) }
            }
        }
        return SocketAddress(storage: storage)
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
