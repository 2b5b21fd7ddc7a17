// inet_pton/inet_ntop: this module parses and prints addresses with the C library's own functions.
import Glibc

/// An IPv4 or IPv6 address as 16 bytes (IPv4 is kept as a v4-mapped IPv6 address, so one comparison
/// covers both families and a v4 caller arriving on a dual-stack socket still matches a v4 network).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    public let isIPv4: Bool

    public init(high: UInt64, low: UInt64, isIPv4: Bool) {
        self.high = high
        self.low = low
        self.isIPv4 = isIPv4
    }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (brackets allowed); nil when it is neither.
    public init?(_ text: String) {
        // inet_pton reads a C string: "10.0.0.0\0junk" would parse as 10.0.0.0. Text with a NUL is
        // not an address.
        guard !text.utf8.contains(0) else { return nil }
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
        }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            self.init(ipv4NetworkOrder: v4.s_addr)
        } else if inet_pton(AF_INET6, String(text), &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            self.init(bytes16: bytes)
        } else {
            return nil
        }
    }

    /// From `in_addr.s_addr` (network byte order).
    public init(ipv4NetworkOrder address: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(UInt32(bigEndian: address)), isIPv4: true)
    }

    /// From the 16 bytes of an `in6_addr`; v4-mapped addresses count as IPv4.
    public init(bytes16 bytes: [UInt8]) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        self.init(high: high, low: low, isIPv4: high == 0 && low >> 32 == 0xFFFF)
    }

    public var description: String {
        if isIPv4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            for i in 0..<8 { raw[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i))) }
            for i in 0..<8 { raw[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i))) }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
