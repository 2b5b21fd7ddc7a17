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

    /// The lower-cased hosts of the caller's trunk gateways (IPv6 without brackets).
    public func trunkHosts(of caller: Caller) -> Set<String> {
        var hosts = Set<String>()
        for entry in entries where entry.owner == caller.index {
            if case .trunk(let gateway) = entry.kind, let host = Self.host(ofURI: gateway.text) {
                hosts.insert(host)
            }
        }
        return hosts
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
