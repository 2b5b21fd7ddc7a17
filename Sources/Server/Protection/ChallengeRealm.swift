// inet_pton from the C library directly, not IPAddress: this check needs no address value, and the file
// then depends on no module that is being reorganised.
import Glibc

/// The realm of the 401 for a From host that is no customer's domain. It is the host itself, so that the
/// challenge looks the same whether or not the domain exists, but only when the host is a valid RFC 3261
/// `host` (`hostname / IPv4address / IPv6reference`): the From host is whatever the sender wrote up to
/// `;` or `?` (quotes, commas, backslashes included), and a realm is written into `WWW-Authenticate`.
/// Anything else gets the fixed realm "switchd" (escaping alone would keep the header well-formed, but
/// would still echo attacker text into every challenge).
enum ChallengeRealm {
    static let fallback = "switchd"

    /// `host` as `SIPURI` holds it: lower-cased here, IPv6 without the brackets (put back: the realm is
    /// then an IPv6reference as written in a URI).
    static func forUnknownDomain(_ host: String) -> String {
        // No valid host has a byte beyond ASCII; checked first, as lowercased() maps some (the Kelvin sign)
        // into ASCII.
        guard host.utf8.allSatisfy({ $0 < 0x80 }) else { return fallback }
        let lowered = host.lowercased()
        if lowered.contains(":") {
            // Only IPv6 has a colon; inet_pton takes RFC 4291 text, which is RFC 3261's IPv6address
            // (IPv4-mapped forms included, zone ids not).
            var address = in6_addr()
            guard lowered.utf8.allSatisfy(isIPv6Character), inet_pton(AF_INET6, lowered, &address) == 1 else {
                return fallback
            }
            return "[" + lowered + "]"
        }
        return isIPv4Address(lowered) || isHostname(lowered) ? lowered : fallback
    }

    /// RFC 3261 §25.1: `IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT`.
    static func isIPv4Address(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: 0x2E, omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { (1...3).contains($0.count) && $0.allSatisfy(isDigit) }
    }

    /// RFC 3261 §25.1: `hostname = *( domainlabel "." ) toplabel [ "." ]`, where a domainlabel is
    /// alphanumerics with inner hyphens and a toplabel starts with a letter. Also held to DNS's lengths
    /// (RFC 1035 §2.3.4: 63 per label, 253 in all), as customer domains are, so that an oversized host
    /// cannot inflate every challenge.
    static func isHostname(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        if bytes.last == 0x2E { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard let top = labels.last, let first = top.first, isLetter(first) else { return false }
        return labels.allSatisfy { label in
            guard let head = label.first, let tail = label.last, label.count <= 63 else { return false }
            return isAlphanumeric(head) && isAlphanumeric(tail) && label.allSatisfy { isAlphanumeric($0) || $0 == 0x2D }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    private static func isIPv6Character(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || byte == 0x3A || byte == 0x2E
    }
}
