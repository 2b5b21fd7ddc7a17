#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// A CIDR network such as `10.1.0.0/16` or `2001:db8::/32`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// Prefix length within the address's own family (0-32 for IPv4, 0-128 for IPv6).
    public let prefixLength: Int

    public enum ParseError: Error, Equatable {
        case notAnAddress
        case badPrefixLength
        case hostBitsSet(suggestion: String)
    }

    public static func parse(_ text: String) -> Result<IPNetwork, ParseError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return .failure(.notAnAddress) }
        let familyBits = address.isIPv4 ? 32 : 128
        var length = familyBits
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 0, parsed <= familyBits, !parts[1].hasPrefix("+") else {
                return .failure(.badPrefixLength)
            }
            length = parsed
        }
        let network = IPNetwork(address: address, prefixLength: length)
        let masked = network.masked(address)
        // A network written with host bits (10.1.2.3/16) is usually a typo; say what was meant instead of guessing.
        if masked != address {
            return .failure(.hostBitsSet(suggestion: "\(masked)/\(length)"))
        }
        return .success(network)
    }

    init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    private var mask128: (UInt64, UInt64) {
        let bits = address.isIPv4 ? prefixLength + 96 : prefixLength
        let high: UInt64 = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~0 << (64 - UInt64(bits)))
        let low: UInt64 = bits <= 64 ? 0 : (bits >= 128 ? ~0 : ~0 << (128 - UInt64(bits)))
        return (high, low)
    }

    private func masked(_ other: IPAddress) -> IPAddress {
        let (mh, ml) = mask128
        return IPAddress(high: other.high & mh, low: other.low & ml, isIPv4: other.isIPv4)
    }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.isIPv4 == address.isIPv4 else { return false }
        let (mh, ml) = mask128
        return other.high & mh == address.high && other.low & ml == address.low
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
