import Addressing

/// Where calls to a binding go when the phone sits behind NAT, as Kamailio's `fix_nated_contact` does:
/// a phone on a private network writes its own LAN address into Contact, which nobody outside can
/// reach; the REGISTER's source address and port are the NAT's mapping that leads back to it.
enum NATRewrite {
    /// The contact with host:port replaced by `sourceIP`:`sourcePort` when the contact's host is an IP
    /// address (IPv4, or bracketed IPv6) and either that address differs from the source, or its port
    /// (5060, 5061 for `sips:` or `transport=tls`, when absent) differs from the source port (a NAT
    /// that kept the address but mapped the port). A host name is never rewritten: it names a server
    /// the phone expects to be reached through (an SBC, a proxy), not the phone itself.
    /// Userinfo and every parameter and header are kept as written.
    static func target(of contact: ContactURI, text: String, sourceIP: String, sourcePort: UInt16) -> String {
        guard let contactAddress = IPAddress(String(contact.host)),
            let sourceAddress = IPAddress(sourceIP)
        else { return text }
        let effectivePort = contact.port ?? defaultPort(of: contact)
        if contactAddress == sourceAddress, effectivePort == sourcePort { return text }
        // Our own printing of the source address: brackets for IPv6, as a URI host needs.
        let host = sourceAddress.isIPv4 ? sourceAddress.description : "[\(sourceAddress.description)]"
        return contact.replacingHostPort(host: host, port: sourcePort)
    }

    /// RFC 3261 §19.1.2: 5061 for sips and TLS, else 5060.
    private static func defaultPort(of contact: ContactURI) -> UInt16 {
        if contact.scheme == "sips" { return 5061 }
        return contact.tail.lowercased().contains(";transport=tls") ? 5061 : 5060
    }
}
