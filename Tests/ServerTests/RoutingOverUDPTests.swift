import Addressing
import Routing
import Server
import Testing

/// One call against the sample `conf/` and the exact answer it must get.
struct RoutingCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// The From header's host: who calls.
    let fromHost: String
    /// The From user: the calling extension (its `[outbound]` classes, if any, replace its trunk's).
    let fromUser: String
    /// The address the datagram is sent from (127.0.0.1 is in every sample customer's networks;
    /// 127.0.0.2 in none, so its calls are challenged).
    let sourceIP: String
    let requestURI: String
    /// The Request-URI user part as the dial plan sees it (escapes decoded).
    let dialled: String
    let requestURIHost: String
    let statusLine: String
    /// The exact `Contact` value of a 302; nil for the rejections (which carry no Contact).
    let contact: String?
    /// The realm of a 401's challenges; nil for every other answer (which carries no WWW-Authenticate).
    let realm: String?

    init(
        _ name: String, from fromHost: String = "acme.example", user fromUser: String = "100",
        source sourceIP: String = "127.0.0.1",
        dial user: String, host: String = "127.0.0.1", dialled: String? = nil, _ statusLine: String, contact: String? = nil,
        realm: String? = nil
    ) {
        self.name = name
        self.fromHost = fromHost
        self.fromUser = fromUser
        self.sourceIP = sourceIP
        self.requestURI = "sip:\(user)@\(host)"
        self.dialled = dialled ?? user
        self.requestURIHost = host
        self.statusLine = statusLine
        self.contact = contact
        self.realm = realm
    }

    var testDescription: String { name }
}

let moved = "SIP/2.0 302 Moved Temporarily"

/// Every routing outcome of the sample configuration.
let sampleRoutingCases: [RoutingCase] = [
    // 302: own extensions, ranges, overrides, trunks, access codes.
    RoutingCase("own extension", dial: "201", moved, contact: "<sip:201@10.1.0.21:5060>"),
    RoutingCase("another own extension", dial: "202", moved, contact: "<sip:202@10.1.0.22:5060>"),
    RoutingCase("extension range", dial: "120", moved, contact: "<sip:120@pbx.acme.example>"),
    RoutingCase("range low end", dial: "100", moved, contact: "<sip:100@pbx.acme.example>"),
    RoutingCase("range high end", dial: "199", moved, contact: "<sip:199@pbx.acme.example>"),
    RoutingCase("explicit extension overrides the range", dial: "150", moved, contact: "<sip:ceo@10.1.0.50:5060>"),
    RoutingCase("star code", dial: "*97", moved, contact: "<sip:voicemail@vm.acme.example>"),
    RoutingCase("escaped star code", dial: "%2A97", dialled: "*97", moved, contact: "<sip:voicemail@vm.acme.example>"),
    RoutingCase("own trunk", dial: "95551234", moved, contact: "<sip:5551234@gw.acme.example>"),
    RoutingCase("own trunk, national class", dial: "912125550100", moved, contact: "<sip:12125550100@gw.acme.example>"),
    RoutingCase("own trunk, toll-free beats national", dial: "918005550100", moved, contact: "<sip:18005550100@gw.acme.example>"),
    RoutingCase(
        "international allowed for 201 by [outbound]", user: "201", dial: "9011442079460000", moved,
        contact: "<sip:011442079460000@gw.acme.example>"),
    RoutingCase("E.164 number over the e164 trunk", dial: "+12125550100", moved, contact: "<sip:+12125550100@gw.acme.example>"),
    RoutingCase(
        "E.164 number, + escaped", dial: "%2B12125550100", dialled: "+12125550100", moved,
        contact: "<sip:+12125550100@gw.acme.example>"),
    RoutingCase(
        "E.164 number with visual separators", dial: "+1-212-555-0100", dialled: "+12125550100", moved,
        contact: "<sip:+12125550100@gw.acme.example>"),
    // Emergency: bare, after the trunk code, after the own access code, through another customer's domain.
    RoutingCase("emergency number", dial: "911", moved, contact: "<sip:911@emergency-gw.example>"),
    RoutingCase("emergency after the trunk code", dial: "9911", moved, contact: "<sip:911@emergency-gw.example>"),
    RoutingCase("emergency after the own access code", dial: "71911", moved, contact: "<sip:911@emergency-gw.example>"),
    RoutingCase("emergency, own access code and trunk", dial: "719911", moved, contact: "<sip:911@emergency-gw.example>"),
    RoutingCase(
        "emergency whatever the Request-URI host", dial: "911", host: "globex.example", moved,
        contact: "<sip:911@emergency-gw.example>"),
    RoutingCase(
        "emergency from a customer without trunk 9", from: "umbrella.example", dial: "911", moved,
        contact: "<sip:911@emergency-gw.example>"),
    RoutingCase("trunk 9 beside 911: 91 is a trunk call", dial: "91", moved, contact: "<sip:1@gw.acme.example>"),
    RoutingCase("group access code, range", dial: "72120", moved, contact: "<sip:120@pbx.globex.example>"),
    RoutingCase("group access code, extension", dial: "72300", moved, contact: "<sip:conference@media.globex.example>"),
    RoutingCase("own access code", dial: "71201", moved, contact: "<sip:201@10.1.0.21:5060>"),
    RoutingCase("own access code, override", dial: "71150", moved, contact: "<sip:ceo@10.1.0.50:5060>"),
    RoutingCase("own access code then trunk", dial: "7195551234", moved, contact: "<sip:5551234@gw.acme.example>"),
    RoutingCase(
        "globex to acme by access code", from: "globex.example", dial: "71150",
        moved, contact: "<sip:ceo@10.1.0.50:5060>"),
    RoutingCase(
        "globex second domain, own range", from: "sip.globex.example", dial: "250", moved,
        contact: "<sip:250@pbx.globex.example>"),
    RoutingCase("globex own trunk", from: "globex.example", dial: "9123", moved, contact: "<sip:123@gw.globex.example>"),
    RoutingCase("from host is case-insensitive", from: "ACME.Example", dial: "201", moved, contact: "<sip:201@10.1.0.21:5060>"),
    RoutingCase("initech range", from: "initech.example", dial: "4042", moved, contact: "<sip:4042@pbx.initech.example>"),
    RoutingCase("initech trunk", from: "initech.example", dial: "0800", moved, contact: "<sip:800@gw.initech.example>"),
    RoutingCase("umbrella extension", from: "umbrella.example", dial: "10", moved, contact: "<sip:10@10.5.0.10>"),
    RoutingCase("umbrella range", from: "umbrella.example", dial: "15", moved, contact: "<sip:15@pbx.umbrella.example>"),
    RoutingCase(
        "Request-URI host of the caller's own domain", dial: "201", host: "acme.example", moved,
        contact: "<sip:201@10.1.0.21:5060>"),
    // 403 with each reason.
    RoutingCase("another customer's trunk", from: "globex.example", dial: "719555", "SIP/2.0 403 Trunk Of Another Customer"),
    RoutingCase("another customer's domain", dial: "120", host: "globex.example", "SIP/2.0 403 Domain Of Another Customer"),
    RoutingCase("international barred on trunk 9", dial: "9011442079460000", "SIP/2.0 403 Call Class Barred"),
    RoutingCase("premium barred by default", from: "globex.example", dial: "919005550100", "SIP/2.0 403 Call Class Barred"),
    RoutingCase("E.164 of another country barred", dial: "+442079460000", "SIP/2.0 403 Call Class Barred"),
    // 401: untrusted (no valid credentials, source outside the customer's networks) or an unknown domain.
    RoutingCase("unknown caller domain", from: "unknown.example", dial: "201", unauthorized, realm: "unknown.example"),
    RoutingCase(
        "unknown caller domain, upper case", from: "Unknown.EXAMPLE", dial: "201", unauthorized, realm: "unknown.example"),
    RoutingCase(
        "unknown caller domain from outside", from: "unknown.example", source: "127.0.0.2", dial: "201", unauthorized,
        realm: "unknown.example"),
    RoutingCase("source outside acme's networks", source: "127.0.0.2", dial: "201", unauthorized, realm: "acme.example"),
    RoutingCase("outside acme's networks, no such number", source: "127.0.0.2", dial: "300", unauthorized, realm: "acme.example"),
    RoutingCase("outside acme's networks, prefix", source: "127.0.0.2", dial: "7", unauthorized, realm: "acme.example"),
    RoutingCase(
        "outside globex's networks, by access code", from: "globex.example", source: "127.0.0.2", dial: "71150",
        unauthorized, realm: "globex.example"),
    RoutingCase(
        "outside globex's networks, second domain", from: "sip.globex.example", source: "127.0.0.2", dial: "250",
        unauthorized, realm: "globex.example"),
    RoutingCase(
        "outside globex's networks, another customer's trunk", from: "globex.example", source: "127.0.0.2",
        dial: "719555", unauthorized, realm: "globex.example"),
    RoutingCase(
        "outside acme's networks, another customer's domain", source: "127.0.0.2", dial: "120", host: "globex.example",
        unauthorized, realm: "acme.example"),
    // 404.
    RoutingCase("no such number", dial: "300", "SIP/2.0 404 Not Found"),
    RoutingCase("initech is in no group", dial: "4000", "SIP/2.0 404 Not Found"),
    RoutingCase("umbrella is on another CM", from: "umbrella.example", dial: "71201", "SIP/2.0 404 Not Found"),
    RoutingCase("initech cannot dial acme", from: "initech.example", dial: "71201", "SIP/2.0 404 Not Found"),
    RoutingCase("not a dial string", dial: "alice", "SIP/2.0 404 Not Found"),
    RoutingCase("E.164 without an e164 trunk", from: "globex.example", dial: "+12125550100", "SIP/2.0 404 Not Found"),
    // 484.
    RoutingCase("prefix of an access code", dial: "7", "SIP/2.0 484 Address Incomplete"),
    RoutingCase("prefix of an extension", dial: "20", "SIP/2.0 484 Address Incomplete"),
    RoutingCase("trunk code alone", from: "initech.example", dial: "0", "SIP/2.0 484 Address Incomplete"),
    RoutingCase("prefix of the emergency number", from: "umbrella.example", dial: "91", "SIP/2.0 484 Address Incomplete"),
    RoutingCase("access code alone", dial: "72", "SIP/2.0 484 Address Incomplete"),
]

@Suite("Routing over UDP (sample conf)")
struct RoutingOverUDPTests {
    /// INVITE and OPTIONS to a number get the same answer: the dial plan's.
    @Test(arguments: sampleRoutingCases, ["INVITE", "OPTIONS"])
    func routes(_ testCase: RoutingCase, method: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient(host: testCase.sourceIP)
        var request = TestRequest(
            method: method, uri: testCase.requestURI, from: "<sip:\(testCase.fromUser)@\(testCase.fromHost)>;tag=f-\(method)",
            client: client)
        request.to = "<\(testCase.requestURI)>"
        let reply = try #require(try server.exchange(request, from: client))

        #expect(reply.statusLine == testCase.statusLine)
        #expect(reply.values("Contact") == (testCase.contact.map { [$0] } ?? []))
        #expect(
            reply.values("WWW-Authenticate").map(maskingNonces) == (testCase.realm.map { expectedChallenges(realm: $0) } ?? []))

        // The same verdict as the call router (and so `switchd route`) reaches for this call.
        let claim = CallerClaim(
            fromHost: testCase.fromHost, fromUser: testCase.fromUser, source: IPAddress(testCase.sourceIP),
            credentials: .presented(authorization: [], method: method, requestURI: testCase.requestURI))
        // The user part as written on the wire (%-escapes included): the router decodes it as the daemon does.
        let user = String(testCase.requestURI.dropFirst("sip:".count).prefix { $0 != "@" })
        let question = CallQuestion(claim: claim, requestURIUser: user, requestURIHost: testCase.requestURIHost)
        let (verdict, dialled) = CallRouter(gate: testGate()).decide(question, plan: server.configuration.plan, now: 0) {}
        #expect(dialled == testCase.dialled)
        #expect(reply.statusLine == "SIP/2.0 \(ResponseCatalog.statusLine(for: verdict))")
        if case .routed(let decision) = verdict {
            #expect(reply.values("Contact") == (decision.contact.map { ["<\($0)>"] } ?? []))
        }
        if let realm = testCase.realm {
            guard case .challenge(realm, stale: false, _) = verdict else {
                Issue.record("expected a challenge in \(realm), got \(verdict)")
                return
            }
        }
    }

    /// The answer carries nothing but the echoed headers, the outcome's headers, Server and Content-Length 0.
    @Test func redirectHasExactlyTheExpectedHeaders() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = TestRequest(uri: "sip:201@127.0.0.1", client: client)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Contact", "Server", "Content-Length"])
        #expect(reply.value("Content-Length") == "0")
        #expect(reply.value("Server") == "switchd")
    }

    @Test func rejectionCarriesNoContact() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = TestRequest(uri: "sip:300@127.0.0.1", client: client)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 404 Not Found")
        #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Server", "Content-Length"])
    }
}
