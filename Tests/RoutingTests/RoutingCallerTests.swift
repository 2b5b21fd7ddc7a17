// Who the caller is (the From domain) and where it may call (the Request-URI host). Whether the
// caller is trusted is the SIP front's trust gate: see ServerTests/TrustGateTests.
import Testing
@testable import Config
@testable import Routing

@Suite("Routing: identifying the caller")
struct RoutingCallerTests {
    @Test("a From host that is no customer's domain is no caller", arguments: ["unknown.example", "example", "acme.example.org", "10.1.0.21", ""])
    func unknownDomain(_ host: String) {
        #expect(harborPlan.caller(fromHost: host) == nil)
    }

    @Test("domains are matched case-insensitively", arguments: ["ACME.EXAMPLE", "Acme.Example", "voice.acme.example", "VOICE.ACME.example"])
    func caseInsensitiveFrom(_ host: String) {
        let decision = route(from: host, "201")
        #expect(summary(decision) == "302 sip:201@10.1.0.21:5060 201 is an extension of Acme Corp")
        #expect(decision.callerID == "acme")
        #expect(harborPlan.caller(fromHost: host)?.realm == "acme.example")
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
