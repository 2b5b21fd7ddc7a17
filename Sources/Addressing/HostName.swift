/// The one judgement of what a host is, for every module that takes one from outside: customer domains
/// in the configuration, trunk gateways and REGISTER Contacts in the dial plan and registrar, the From
/// host a challenge names as its realm. RFC 3261 §25.1:
/// `host = hostname / IPv4address / IPv6reference`.
public enum HostName {
    /// `host` in one spelling, so that two spellings of one host compare equal: IP addresses in their
    /// canonical text without brackets (`[::ffff:192.0.2.1]` is `192.0.2.1`), names lower-cased without
    /// a trailing dot; nil for anything that is neither (`203.1`, `x>`, `evil..example`).
    public static func normalized(_ text: String) -> String? {
        // No host has a byte beyond ASCII; checked before lowercased(), which maps some (the Kelvin
        // sign) into ASCII.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        if let address = IPAddress(text) { return address.description }
        guard isHostName(text) else { return nil }
        let lowered = text.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }

    /// True when `text` is the hostname of the grammar, any case: `*( domainlabel "." ) toplabel [ "." ]`,
    /// labels of letters, digits and inner hyphens, the last starting with a letter (so `203.1` and
    /// `evil.123`, which resolvers may read as addresses, are no names). Also held to DNS's lengths
    /// (RFC 1035 §2.3.4: 63 per label, 253 in all), so an oversized host is refused wherever it is used.
    public static func isHostName(_ text: String) -> Bool {
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

    private static func isLetter(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || isLetter(byte) }
}
