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
