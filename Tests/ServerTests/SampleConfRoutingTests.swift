// The shipped conf/ is the admin's reference: trust gate and dial plan together route as its comments
// say, with the status lines the wire and `switchd route` print.
import Addressing
import Routing
import Server
import Testing

@Suite("The sample configuration, routed")
struct SampleConfRoutingTests {
    @Test("conf/ routes as its comments describe", arguments: [
        ("acme.example", "127.0.0.1", "72100", "302 Moved Temporarily sip:100@pbx.globex.example access code 72 is Globex; 100 is Globex's extension (range 100-299)"),
        ("acme.example", "10.1.2.3", "150", "302 Moved Temporarily sip:ceo@10.1.0.50:5060 150 is an extension of Acme Corp"),
        ("globex.example", "127.0.0.1", "71201", "302 Moved Temporarily sip:201@10.1.0.21:5060 access code 71 is Acme Corp; 201 is Acme Corp's extension"),
        ("globex.example", "10.2.0.9", "719123", "403 Trunk Of Another Customer - access code 71 is Acme Corp; 9 is Acme Corp's trunk"),
        ("acme.example", "192.0.2.1", "201", "401 Unauthorized - 192.0.2.1 is outside Acme Corp's networks and the request carries no valid credentials of Acme Corp"),
        ("globex.example", nil, "71201", "401 Unauthorized - no source address was given and the request carries no valid credentials of Globex"),
        ("initech.example", "127.0.0.1", "72100", "404 Not Found - 72100 is no extension, trunk or group access code Initech can dial"),
        ("umbrella.example", "2001:db8:5::7", "4000", "404 Not Found - 4000 is no extension, trunk or group access code Umbrella can dial"),
        ("acme.example", "127.0.0.1", "%2A97", "302 Moved Temporarily sip:voicemail@vm.acme.example *97 is an extension of Acme Corp"),
    ] as [(String, String?, String, String)])
    func routes(_ from: String, _ source: String?, _ user: String, _ expected: String) throws {
        let plan = try ConfigLoader.load(directory: sampleConfDirectory.path).plan
        let claim = CallerClaim(
            fromHost: from, fromUser: "100", source: source.flatMap(IPAddress.init),
            credentials: .presented(authorization: [], method: "INVITE", requestURI: "sip:\(user)@\(from)"))
        let question = CallQuestion(claim: claim, requestURIUser: user, requestURIHost: nil)
        let (verdict, _) = CallRouter(gate: testGate()).decide(question, plan: plan, now: 0) {}
        var contact = "-"
        if case .routed(let decision) = verdict, let target = decision.contact { contact = target }
        #expect("\(ResponseCatalog.statusLine(for: verdict)) \(contact) \(verdict.reason)" == expected)
    }
}
