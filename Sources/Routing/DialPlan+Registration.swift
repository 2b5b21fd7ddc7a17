import Addressing
import Config

/// What the registrar asks of the plan about an identified caller: which extensions it has, which
/// domains are its own, and which hosts its trunks reach (a phone must not bind an extension to them).
extension DialPlan {
    /// True when `number` is one of the caller's own extensions (single or inside a range).
    public func isExtension(_ number: String, of caller: Caller) -> Bool {
        let customer = customers[Int(caller.index)]
        var contiguous = number
        return contiguous.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.allSatisfy({ DialSymbol.index(of: $0) != nil }) else { return false }
            if case .number(_, _, let via) = lookup(bytes, from: 0, root: customer.root, asMember: nil), via == DialTrie.none {
                return true
            }
            return false
        }
    }

    /// True when `host` (any case) is one of the caller's domains.
    public func isDomain(_ host: String, of caller: Caller) -> Bool {
        domainOwners[Self.lowercasedHost(host)] == caller.index
    }

    /// True when `host` (normalised by `normalizedHost`) is the gateway of any customer's trunk.
    public func isTrunkHost(_ host: String) -> Bool {
        trunkHosts.contains(host)
    }

    /// The normalised hosts of every trunk gateway of the plan, built once with the plan.
    static func trunkHosts(of entries: [DialEntry]) -> Set<String> {
        var hosts = Set<String>()
        for entry in entries {
            if case .trunk(let gateway) = entry.kind, let host = host(ofURI: gateway.text).flatMap(normalizedHost) {
                hosts.insert(host)
            }
        }
        return hosts
    }

    /// A host as one spelling: IP addresses in their canonical text (so `[::ffff:192.0.2.1]` is
    /// `192.0.2.1`), names lower-cased without a trailing dot; nil for anything that is neither a
    /// valid IP address nor a host name (`203.1`, `x>`), which no Contact may carry.
    public static func normalizedHost(_ text: String) -> String? {
        var host = text.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let address = IPAddress(host) { return address.description }
        if host.hasSuffix(".") { host.removeLast() }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, host.utf8.count <= 253,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
            }),
            // All digits and dots but no address (`203.1`): many resolvers read it as one.
            let last = labels.last, !last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        return host
    }

    /// The host of a `sip:`/`sips:` URI text (placeholders allowed in the user part), lower-cased,
    /// without IPv6 brackets.
    static func host(ofURI text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        var rest = text[text.index(after: colon)...]
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        let host = rest.prefix { $0 != ":" && $0 != ";" && $0 != "?" }
        return host.isEmpty ? nil : host.lowercased()
    }
}
