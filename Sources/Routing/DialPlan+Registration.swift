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

    /// True when `host` (normalised by `HostName.normalized`) is the gateway of any customer's trunk, or
    /// the emergency gateway.
    public func isTrunkHost(_ host: String) -> Bool {
        trunkHosts.contains(host)
    }

    /// The normalised hosts of every trunk gateway of the plan and of the emergency gateway, built once
    /// with the plan (a phone bound there would send its calls to a gateway).
    static func trunkHosts(of entries: [DialEntry], emergencyGateway: URITemplate?) -> Set<String> {
        var gateways: [URITemplate] = emergencyGateway.map { [$0] } ?? []
        for entry in entries {
            if case .trunk(let gateway, _) = entry.kind { gateways.append(gateway) }
        }
        var hosts = Set<String>()
        for gateway in gateways {
            // Placeholders sit in the user part, so the host of the template is the gateway's.
            if case .success(let uri) = SIPURIParts.split(gateway.text), let host = HostName.normalized(String(uri.host)) {
                hosts.insert(host)
            }
        }
        return hosts
    }
}
