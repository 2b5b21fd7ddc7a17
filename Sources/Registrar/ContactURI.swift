import Addressing

/// The parts of a `sip:`/`sips:` Contact URI the registrar needs: what identifies a binding within its
/// address of record, and where the host and port sit for a NAT rewrite.
///
/// `SIPURIParts` finds the scheme, userinfo, host and port, as it does for the request handler's checks
/// of the same Contact (so the host checked is the host stored); `;params?headers` is kept as the tail.
/// The SIP module has already parsed the header; this works on the URI text it hands over.
struct ContactURI: Equatable {
    /// `sip` or `sips`, lowercased.
    var scheme: String
    /// Everything between `scheme:` and `@` (user and, if any, `:password`), as written; nil without `@`.
    var userinfo: Substring?
    /// As written: a name, dotted IPv4, or bracketed IPv6 (`[2001:db8::1]`).
    var host: Substring
    var port: UInt16?
    /// `;params?headers` as written, kept whole by a rewrite.
    var tail: Substring

    /// How two Contacts are judged the same binding (RFC 3261 §10.3 step 7): RFC 3261 §19.1.4 equality
    /// of scheme (case-insensitive), userinfo (case-sensitive, as written), host (case-insensitive) and
    /// port (an absent port is not equal to an explicit 5060, as §19.1.4 says). URI parameters are not
    /// compared: a phone that re-registers with a new `rinstance`, `ob` or `transport` is the same
    /// binding, and must replace it rather than pile up beside it.
    struct Identity: Hashable {
        var scheme: String
        var userinfo: String?
        var host: String
        var port: UInt16?
    }

    var identity: Identity {
        Identity(scheme: scheme, userinfo: userinfo.map(String.init), host: host.lowercased(), port: port)
    }

    typealias Problem = SIPURIParts.Problem

    static func parse(_ text: String) -> Result<ContactURI, Problem> {
        SIPURIParts.split(text).flatMap { parts in
            parts.hostPort().map { port, tail in
                ContactURI(scheme: parts.scheme, userinfo: parts.userinfo, host: parts.host, port: port, tail: tail)
            }
        }
    }

    /// The URI text with the host and port replaced, everything else as it was.
    func replacingHostPort(host newHost: String, port newPort: UInt16) -> String {
        var text = scheme + ":"
        if let userinfo { text += userinfo + "@" }
        text += newHost + ":" + String(newPort)
        text += tail
        return text
    }
}
