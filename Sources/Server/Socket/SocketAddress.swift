import Addressing
import Glibc
import Routing

/// An IPv4 or IPv6 socket address (a `sockaddr_storage` kept by value).
public struct SocketAddress: Sendable, CustomStringConvertible {
    private let storage: sockaddr_storage

    init(storage: sockaddr_storage) {
        self.storage = storage
    }

    /// From a numeric host (IPv4 dotted or IPv6 without brackets) and a port; nil when not numeric.
    public init?(host: String, port: UInt16) {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET, bare, &v4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr = v4
                raw.storeBytes(of: address, as: sockaddr_in.self)
            }
        } else if inet_pton(AF_INET6, bare, &v6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = v6
                raw.storeBytes(of: address, as: sockaddr_in6.self)
            }
        } else {
            return nil
        }
        self.storage = storage
    }

    public var family: Int32 { Int32(storage.ss_family) }

    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
                : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }

    /// The address as the router compares it (v4-mapped IPv6 counts as IPv4).
    public var ipAddress: IPAddress {
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                let address = raw.load(as: sockaddr_in6.self).sin6_addr
                return IPAddress(bytes16: withUnsafeBytes(of: address) { Array($0) })
            }
            return IPAddress(ipv4NetworkOrder: raw.load(as: sockaddr_in.self).sin_addr.s_addr)
        }
    }

    /// The same address with another port.
    public func with(port: UInt16) -> SocketAddress {
        var copy = storage
        withUnsafeMutableBytes(of: &copy) { raw in
            if family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self)
                address.sin6_port = port.bigEndian
                raw.storeBytes(of: address, as: sockaddr_in6.self)
            } else {
                var address = raw.load(as: sockaddr_in.self)
                address.sin_port = port.bigEndian
                raw.storeBytes(of: address, as: sockaddr_in.self)
            }
        }
        return SocketAddress(storage: copy)
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in body(raw, length) }
        }
    }

    public var description: String {
        let ip = ipAddress
        return family == AF_INET6 && !ip.isIPv4 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
