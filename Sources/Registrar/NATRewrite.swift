import Addressing

/// Where calls to a binding go when the phone sits behind NAT, as Kamailio's `fix_nated_contact` does:
/// a phone on a private network writes its own LAN address into Contact, which nobody outside can
/// reach; the REGISTER's source address and port are the NAT's mapping that leads back to it.
enum NATRewrite {
    /// The contact with host:port replaced by `sourceIP`:`sourcePort` when `rewrittenTo` says so;
    /// userinfo and every parameter and header are kept as written.
    static func target(of contact: ContactURI, text: String, sourceIP: String, sourcePort: UInt16) -> String {
        guard let target = rewrittenTo(contact, sourceIP: sourceIP, sourcePort: sourcePort) else { return text }
        return contact.replacingHostPort(host: target.uriHost, port: target.port)
    }

    /// The source address and port when the contact's host is an IP address (IPv4, or bracketed IPv6)
    /// and either that address differs from the source, or its port (5060, 5061 for `sips:` or
    /// `transport=tls`, when absent) differs from the source port (a NAT that kept the address but
    /// mapped the port); nil when the contact is kept. A host name is never rewritten: it names a
    /// server the phone expects to be reached through (an SBC, a proxy), not the phone itself.
    static func rewrittenTo(_ contact: ContactURI, sourceIP: String, sourcePort: UInt16) -> NATTarget? {
        guard let contactAddress = IPAddress(String(contact.host)),
            let sourceAddress = IPAddress(sourceIP)
        else { return nil }
        let effectivePort = contact.port ?? defaultPort(of: contact)
        if contactAddress == sourceAddress, effectivePort == sourcePort { return nil }
        return NATTarget(address: sourceAddress, port: sourcePort)
    }

    /// RFC 3261 §19.1.2: 5061 for sips and TLS, else 5060.
    private static func defaultPort(of contact: ContactURI) -> UInt16 {
        if contact.scheme == "sips" { return 5061 }
        return contact.tail.lowercased().contains(";transport=tls") ? 5061 : 5060
    }
}

/// The address and port calls to a binding go to instead of its Contact's host and port.
public struct NATTarget: Sendable, Equatable, CustomStringConvertible {
    public let address: IPAddress
    public let port: UInt16

    /// As a URI host: brackets for IPv6.
    var uriHost: String { address.isIPv4 ? address.description : "[\(address.description)]" }

    public var description: String { "\(uriHost):\(port)" }
}

extension RegistrarSettings {
    /// Where calls to `contact` registered from `sourceIP`:`sourcePort` go when that is not the
    /// Contact's own host and port: the NAT rewrite the location service applies to the binding it
    /// stores (nil with `natRewrite` off, for a host name, or for text that is no sip/sips URI). The
    /// request handler checks this target as it checks the Contact, so both read one rule.
    public func natTarget(ofContact contact: String, sourceIP: String, sourcePort: UInt16) -> NATTarget? {
        guard natRewrite, case .success(let uri) = ContactURI.parse(contact) else { return nil }
        return NATRewrite.rewrittenTo(uri, sourceIP: sourceIP, sourcePort: sourcePort)
    }
}
