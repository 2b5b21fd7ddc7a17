// Who may call: the From domain, the source address against `networks`, and the Request-URI host.
import Testing
@testable import Config
@testable import Routing

@Suite("Routing: identifying and admitting the caller")
struct RoutingCallerTests {
    @Test("a From host that is no customer's domain is challenged (401) in that host's realm", arguments: ["unknown.example", "example", "acme.example.org", "10.1.0.21"])
    func unknownDomain(_ host: String) {
        for authenticated in [false, true] {
            let decision = route(from: host, authenticated: authenticated, "201")
            #expect(summary(decision) == "401 - \(host) is no customer's domain, so no credentials can be valid")
            #expect(decision.outcome == .unauthenticated(realm: host.lowercased()))
            #expect(decision.callerID == nil)
        }
    }

    @Test("domains are matched case-insensitively", arguments: ["ACME.EXAMPLE", "Acme.Example", "voice.acme.example", "VOICE.ACME.example"])
    func caseInsensitiveFrom(_ host: String) {
        let decision = route(from: host, "201")
        #expect(summary(decision) == "302 sip:201@10.1.0.21:5060 201 is an extension of Acme Corp")
        #expect(decision.callerID == "acme")
    }

    @Test("a customer with networks: sources inside them are routed", arguments: [
        "10.2.0.0", "10.2.0.1", "10.2.255.254", "2001:db8:2::1", "2001:db8:2:ffff:ffff:ffff:ffff:ffff", "2001:DB8:2::9",
        "::ffff:10.2.0.1",  // an IPv4 caller seen on a dual-stack socket
    ])
    func sourceInside(_ source: String) {
        let decision = route(from: "globex.example", source: source, "300")
        #expect(summary(decision) == "302 sip:conference@media.globex.example 300 is an extension of Globex")
        #expect(decision.callerID == "globex")
    }

    @Test("a customer with networks: sources outside them are challenged (401) unless authenticated", arguments: [
        ("10.3.0.1", "10.3.0.1"), ("10.1.255.255", "10.1.255.255"), ("192.168.1.1", "192.168.1.1"),
        ("2001:db8:3::1", "2001:db8:3::1"), ("2001:db8::1", "2001:db8::1"), ("::1", "::1"),
    ])
    func sourceOutside(_ source: String, _ shown: String) {
        let decision = route(from: "globex.example", source: source, authenticated: false, "300")
        #expect(summary(decision) == "401 - \(shown) is outside Globex's networks and the request carries no valid credentials of Globex")
        #expect(decision.outcome == .unauthenticated(realm: "globex.example"))
        #expect(decision.callerID == nil)
        let withCredentials = route(from: "globex.example", source: source, authenticated: true, "300")
        #expect(summary(withCredentials) == "302 sip:conference@media.globex.example 300 is an extension of Globex")
    }

    @Test("without credentials, a call whose source address is unknown is challenged")
    func noSource() {
        let decision = route(from: "globex.example", source: nil, authenticated: false, "300")
        #expect(summary(decision) == "401 - no source address was given and the request carries no valid credentials of Globex")
        #expect(decision.outcome == .unauthenticated(realm: "globex.example"))
    }

    @Test("trust is checked before anything is dialled, even a prefix or an unknown number", arguments: ["3", "999", "72", "x"])
    func sourceBeforeDialling(_ dialled: String) {
        #expect(route(from: "globex.example", source: "10.9.9.9", authenticated: false, dialled).status == 401)
    }

    @Test("a customer without networks trusts only credentials", arguments: [nil, "10.1.0.21", "203.0.113.7", "2001:db8:99::1"] as [String?])
    func noNetworks(_ source: String?) {
        #expect(summary(route(from: "acme.example", source: source, "201")) == "302 sip:201@10.1.0.21:5060 201 is an extension of Acme Corp")
        #expect(route(from: "acme.example", source: source, authenticated: false, "201").status == 401)
    }

    @Test("a Request-URI host that is another customer's domain is 403", arguments: [
        ("acme.example", "globex.example", "globex.example is Globex's domain; Acme Corp cannot call into it directly"),
        ("acme.example", "GLOBEX.Example", "GLOBEX.Example is Globex's domain; Acme Corp cannot call into it directly"),
        ("acme.example", "initech.example", "initech.example is Initech's domain; Acme Corp cannot call into it directly"),
        ("acme.example", "umbrella.example", "umbrella.example is Umbrella's domain; Acme Corp cannot call into it directly"),
        ("initech.example", "acme.example", "acme.example is Acme Corp's domain; Initech cannot call into it directly"),
        ("hooli.example", "voice.acme.example", "voice.acme.example is Acme Corp's domain; Hooli cannot call into it directly"),
    ])
    func foreignRequestURI(_ from: String, _ ruriHost: String, _ reason: String) {
        let decision = route(from: from, ruriHost: ruriHost, "71201")
        #expect(summary(decision) == "403 - \(reason)")
        #expect(decision.outcome == .forbidden(.foreignDomain))
    }

    @Test("a Request-URI host of the caller's own domain, or of no customer, is routed", arguments: [
        "acme.example", "ACME.example", "voice.acme.example", "proxy.example", "10.0.0.1",
    ])
    func ownRequestURI(_ ruriHost: String) {
        #expect(summary(route(from: "acme.example", ruriHost: ruriHost, "201")) == "302 sip:201@10.1.0.21:5060 201 is an extension of Acme Corp")
    }
}
