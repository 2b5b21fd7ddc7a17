import Addressing

/// The realm of the 401 for a From host that is no customer's domain. It is the host itself, so that the
/// challenge looks the same whether or not the domain exists, but only when the host is a valid RFC 3261
/// `host` (`HostName`): the From host is whatever the sender wrote up to `;` or `?` (quotes, commas,
/// backslashes included), and a realm is written into `WWW-Authenticate`. Anything else gets the fixed
/// realm "switchd" (escaping alone would keep the header well-formed, but would still echo attacker text
/// into every challenge).
enum ChallengeRealm {
    static let fallback = "switchd"

    /// `host` as `SIPURI` holds it: lower-cased here, IPv6 without the brackets (put back: the realm is
    /// then an IPv6reference as written in a URI). The host's own spelling, not `HostName.normalized`:
    /// the realm a phone is challenged in is the domain it wrote.
    static func forUnknownDomain(_ host: String) -> String {
        // SIPURI strips the brackets of an IPv6reference; one that is left was never closed.
        guard !host.hasPrefix("["), HostName.normalized(host) != nil else { return fallback }
        let lowered = host.lowercased()
        // Only IPv6 has a colon.
        return lowered.contains(":") ? "[" + lowered + "]" : lowered
    }
}
