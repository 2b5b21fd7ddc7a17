import Testing

/// A request derived from a valid INVITE from acme to 201, and the exact answer it must get
/// (nil status line: no answer at all).
struct ProtocolCase: Sendable, CustomTestStringConvertible {
    let name: String
    let change: @Sendable (inout TestRequest) -> Void
    let statusLine: String?
    /// Headers that must appear exactly once with exactly this value.
    let headers: [String: String]
    /// Headers that must be absent.
    let absent: [String]

    init(
        _ name: String, _ statusLine: String?, headers: [String: String] = [:], absent: [String] = [],
        _ change: @escaping @Sendable (inout TestRequest) -> Void
    ) {
        self.name = name
        self.statusLine = statusLine
        self.headers = headers
        self.absent = absent
        self.change = change
    }

    var testDescription: String { name }
}

let allow = "INVITE, ACK, CANCEL, OPTIONS, REGISTER"

func method(_ name: String, uri: String = "sip:201@127.0.0.1") -> @Sendable (inout TestRequest) -> Void {
    { request in
        request.method = name
        request.uri = uri
        request.cseq = "1 \(name)"
    }
}

let protocolCases: [ProtocolCase] = [
    // Methods.
    ProtocolCase("ACK gets no answer", nil, method("ACK")),
    ProtocolCase("CANCEL gets no answer", nil, method("CANCEL")),
    ProtocolCase("ACK to a keep-alive URI gets no answer", nil, method("ACK", uri: "sip:127.0.0.1")),
    ProtocolCase(
        "OPTIONS keep-alive", "SIP/2.0 200 OK",
        headers: ["Allow": allow, "Accept": "application/sdp", "Supported": ""], absent: ["Contact"],
        method("OPTIONS", uri: "sip:127.0.0.1")),
    ProtocolCase(
        "OPTIONS keep-alive to a domain", "SIP/2.0 200 OK",
        headers: ["Allow": allow, "Accept": "application/sdp", "Supported": ""],
        method("OPTIONS", uri: "sip:acme.example:5060;transport=udp")),
    ProtocolCase(
        "OPTIONS to a number routes like INVITE", "SIP/2.0 302 Moved Temporarily",
        headers: ["Contact": "<sip:201@10.1.0.21:5060>"], absent: ["Allow"], method("OPTIONS")),
    ProtocolCase("BYE", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("BYE")),
    ProtocolCase("MESSAGE", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("MESSAGE")),
    ProtocolCase("SUBSCRIBE", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("SUBSCRIBE")),
    ProtocolCase("NOTIFY", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("NOTIFY")),
    ProtocolCase("PRACK", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("PRACK")),
    ProtocolCase("UPDATE", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("UPDATE")),
    ProtocolCase("INFO", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("INFO")),
    ProtocolCase("REFER", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("REFER")),
    ProtocolCase("PUBLISH", "SIP/2.0 405 Method Not Allowed", headers: ["Allow": allow], method("PUBLISH")),
    ProtocolCase("unknown method", "SIP/2.0 501 Not Implemented", method("FROBNICATE")),
    ProtocolCase("unknown method, odd token", "SIP/2.0 501 Not Implemented", method("X-Custom.Method!")),
    ProtocolCase("method names are case-sensitive", "SIP/2.0 501 Not Implemented", method("invite")),
    // Max-Forwards.
    ProtocolCase("Max-Forwards 0", "SIP/2.0 483 Too Many Hops", absent: ["Contact"]) { $0.maxForwards = "0" },
    ProtocolCase("Max-Forwards 0 on a keep-alive", "SIP/2.0 483 Too Many Hops") { request in
        method("OPTIONS", uri: "sip:127.0.0.1")(&request)
        request.maxForwards = "0"
    },
    ProtocolCase(
        "Max-Forwards 1 still routes", "SIP/2.0 302 Moved Temporarily",
        headers: ["Contact": "<sip:201@10.1.0.21:5060>"]
    ) { $0.maxForwards = "1" },
    ProtocolCase("Max-Forwards missing from an RFC 3261 client", "SIP/2.0 400 Missing Max-Forwards") { $0.maxForwards = nil },
    ProtocolCase("Max-Forwards not a number", "SIP/2.0 400 Invalid Max-Forwards") { $0.maxForwards = "seventy" },
    // Request-URI scheme.
    // tel: (RFC 3966) names a number: routed like a sip: user part, visual separators removed.
    ProtocolCase(
        "tel: URI, E.164", "SIP/2.0 302 Moved Temporarily", headers: ["Contact": "<sip:+15551234@gw.acme.example>"]
    ) { $0.uri = "tel:+1-555-1234" },
    ProtocolCase(
        "tel: URI on OPTIONS, local number", "SIP/2.0 302 Moved Temporarily",
        headers: ["Contact": "<sip:201@10.1.0.21:5060>"], method("OPTIONS", uri: "tel:201;phone-context=acme.example")),
    ProtocolCase(
        "sip: URI with user=phone and an escaped +", "SIP/2.0 302 Moved Temporarily",
        headers: ["Contact": "<sip:+15551234@gw.acme.example>"]
    ) { $0.uri = "sip:%2B1-555-1234@127.0.0.1;user=phone" },
    ProtocolCase(
        "tel: URI, emergency number", "SIP/2.0 302 Moved Temporarily", headers: ["Contact": "<sip:911@emergency-gw.example>"]
    ) { $0.uri = "tel:911;phone-context=acme.example" },
    ProtocolCase("http: URI", "SIP/2.0 416 Unsupported URI Scheme") { $0.uri = "http://example.com/201" },
    ProtocolCase("unknown scheme", "SIP/2.0 416 Unsupported URI Scheme") { $0.uri = "nobodyKnowsThisScheme:201" },
    ProtocolCase("sips: routes", "SIP/2.0 302 Moved Temporarily", headers: ["Contact": "<sip:201@10.1.0.21:5060>"]) {
        $0.uri = "sips:201@127.0.0.1"
    },
    ProtocolCase("scheme is case-insensitive", "SIP/2.0 302 Moved Temporarily", headers: ["Contact": "<sip:201@10.1.0.21:5060>"])
    {
        $0.uri = "SIP:201@127.0.0.1"
    },
    // Missing or broken mandatory headers.
    ProtocolCase("missing Call-ID", "SIP/2.0 400 Missing Call-ID", absent: ["Call-ID", "Contact"]) { $0.callID = nil },
    ProtocolCase("missing From", "SIP/2.0 400 Missing From", absent: ["From"]) { $0.from = nil },
    ProtocolCase("missing To", "SIP/2.0 400 Missing To", absent: ["To"]) { $0.to = nil },
    ProtocolCase("missing CSeq", "SIP/2.0 400 Missing CSeq", absent: ["CSeq"]) { $0.cseq = nil },
    ProtocolCase("missing To and From", "SIP/2.0 400 Missing To, From") { request in
        request.to = nil
        request.from = nil
    },
    ProtocolCase("CSeq method mismatch", "SIP/2.0 400 CSeq Method Mismatch", headers: ["CSeq": "1 OPTIONS"]) {
        $0.cseq = "1 OPTIONS"
    },
    ProtocolCase("CSeq method differs in case", "SIP/2.0 400 CSeq Method Mismatch") { $0.cseq = "1 invite" },
    ProtocolCase("CSeq without a number", "SIP/2.0 400 Invalid CSeq Number") { $0.cseq = "INVITE" },
    ProtocolCase("CSeq number too large", "SIP/2.0 400 CSeq Number Too Large") { $0.cseq = "4294967296 INVITE" },
    ProtocolCase("two Call-ID headers", "SIP/2.0 400 Duplicate Call-ID Header") { $0.extra = [("Call-ID", "other@test")] },
    ProtocolCase("Content-Length larger than the body", "SIP/2.0 400 Content-Length Exceeds Body") { request in
        request.extra = [("Content-Type", "application/sdp")]
        request.body = Array("v=0\r\n".utf8)
        request.contentLength = "200"
    },
    ProtocolCase("Content-Length with no body", "SIP/2.0 400 Content-Length Exceeds Body") { $0.contentLength = "1" },
    ProtocolCase("negative Content-Length", "SIP/2.0 400 Invalid Content-Length") { $0.contentLength = "-1" },
    ProtocolCase(
        "Content-Length smaller than the body: the rest is ignored", "SIP/2.0 302 Moved Temporarily",
        headers: ["Contact": "<sip:201@10.1.0.21:5060>"]
    ) { request in
        request.extra = [("Content-Type", "application/sdp")]
        request.body = Array("v=0\r\nextra bytes past the declared length".utf8)
        request.contentLength = "5"
    },
    ProtocolCase("SIP version 3.0", "SIP/2.0 505 Version Not Supported") { $0.version = "SIP/3.0" },
    // Require: this server supports no extension.
    ProtocolCase("Require", "SIP/2.0 420 Bad Extension", headers: ["Unsupported": "100rel"], absent: ["Contact"]) {
        $0.extra = [("Require", "100rel")]
    },
    ProtocolCase("Require with two option tags", "SIP/2.0 420 Bad Extension", headers: ["Unsupported": "100rel, timer"]) {
        $0.extra = [("Require", "100rel, timer")]
    },
    ProtocolCase("two Require headers", "SIP/2.0 420 Bad Extension", headers: ["Unsupported": "100rel, timer"]) {
        $0.extra = [("Require", "100rel"), ("Require", "timer")]
    },
    ProtocolCase("Require on a keep-alive OPTIONS", "SIP/2.0 420 Bad Extension", headers: ["Unsupported": "foo"]) { request in
        method("OPTIONS", uri: "sip:127.0.0.1")(&request)
        request.extra = [("Require", "foo")]
    },
    ProtocolCase("Supported and Proxy-Require are not Require", "SIP/2.0 302 Moved Temporarily") {
        $0.extra = [("Supported", "100rel"), ("Proxy-Require", "foo")]
    },
]

@Suite("Methods, checks and errors")
struct ProtocolTests {
    @Test(arguments: protocolCases)
    func answer(_ testCase: ProtocolCase) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        testCase.change(&request)
        try server.send(request, from: client)
        guard let expected = testCase.statusLine else {
            #expect(client.isSilent(for: 400))
            #expect(try server.answersKeepAlive())
            return
        }
        let datagram = try #require(client.receive())
        let reply = try #require(SIPReply(datagram.bytes))
        #expect(reply.statusLine == expected)
        for (name, value) in testCase.headers {
            #expect(reply.value(name) == value, "\(name)")
        }
        for name in testCase.absent {
            #expect(reply.values(name).isEmpty, "\(name) must be absent")
        }
        // Whatever the answer, the echoed headers that were present are there exactly once, unchanged.
        #expect(
            reply.values("Via") == [
                "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-test-1;rport=\(client.port);received=127.0.0.1"
            ])
        if let from = request.from { #expect(reply.value("From") == from) }
        if let callID = request.callID { #expect(reply.value("Call-ID") == callID) }
        if let cseq = request.cseq { #expect(reply.value("CSeq") == cseq) }
        if let to = request.to { #expect(reply.value("To")?.hasPrefix(to + ";tag=") == true) }
        #expect(reply.value("Content-Length") == "0")
        #expect(client.isSilent(), "exactly one answer")
    }

    /// No Via: nowhere to answer. The datagram is dropped and counted, and the server keeps serving.
    @Test func missingViaIsDroppedAndCounted() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        request.vias = []
        let before = server.server.counters[.dropped]
        try server.send(request, from: client)
        #expect(client.isSilent())
        #expect(server.eventually { server.server.counters[.dropped] == before + 1 })
        #expect(try server.answersKeepAlive())
    }

    /// ACK and CANCEL are counted as requests but get no response.
    @Test func ackAndCancelAreSilentButCounted() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        for name in ["ACK", "CANCEL"] {
            var request = TestRequest(method: name, client: client)
            request.to = "<sip:201@127.0.0.1>;tag=abc"
            try server.send(request, from: client)
        }
        #expect(client.isSilent())
        #expect(server.eventually { server.server.counters[.requests] == 2 })
        #expect(server.server.counters[.responsesSent] == 0)
    }

    /// A malformed ACK or CANCEL gets no 400 either: no response may ever answer them (§17.2.3).
    @Test func malformedAckAndCancelAreSilent() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        for name in ["ACK", "CANCEL"] {
            var request = TestRequest(method: name, client: client)
            request.callID = nil
            request.cseq = nil
            try server.send(request, from: client)
        }
        #expect(client.isSilent())
        #expect(server.eventually { server.server.counters[.requests] == 2 })
        #expect(try server.answersKeepAlive())
    }

    /// A SIP response sent to the server is never answered, and counted as ignored.
    @Test(arguments: [
        "SIP/2.0 200 OK",
        "SIP/2.0 180 Ringing",
        "SIP/2.0 486 Busy Here",
        "SIP/2.0 999 Whatever",
        "sip/2.0 302 Moved",
    ])
    func responsesAreNotAnswered(statusLine: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let text =
            "\(statusLine)\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-resp;rport\r\n"
            + "From: <sip:100@acme.example>;tag=1\r\n"
            + "To: <sip:201@127.0.0.1>;tag=2\r\n"
            + "Call-ID: response@test\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n"
        try server.send(Array(text.utf8), from: client)
        #expect(client.isSilent())
        #expect(server.eventually { server.server.counters[.responsesIgnored] == 1 })
        #expect(server.server.counters[.responsesSent] == 0)
        #expect(try server.answersKeepAlive())
    }
}
