import Foundation
import Server
import Testing

/// Tests that bind the fixed addresses 127.0.0.2:5060 and 127.0.0.2:5050 (where §18.2.2 sends answers to
/// Vias without a port, and where the torture messages' answers go) live in suites nested in this one,
/// which runs them one at a time.
@Suite(.serialized) struct FixedPortTests {}

@Suite("Where responses go (RFC 3261 §18.2.2, RFC 3581)")
struct ResponseDestinationTests {
    struct RportCase: Sendable, CustomTestStringConvertible {
        let name: String
        /// The top Via with `PORT` standing for the client's port.
        let via: String
        /// The echoed top Via, with `PORT` for the client's port.
        let echoed: String
        var testDescription: String { name }
    }

    static let rportCases: [RportCase] = [
        // RFC 3581 §4: with a valueless rport, received is added even when it equals the sent-by.
        RportCase(name: "sent-by is the source IP: rport filled, received still added",
                  via: "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-r1;rport",
                  echoed: "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-r1;rport=PORT;received=127.0.0.1"),
        RportCase(name: "sent-by is the source IP and port: received still added",
                  via: "SIP/2.0/UDP 127.0.0.1:PORT;rport;branch=z9hG4bK-r6",
                  echoed: "SIP/2.0/UDP 127.0.0.1:PORT;rport=PORT;branch=z9hG4bK-r6;received=127.0.0.1"),
        RportCase(name: "a received equal to the source is kept in place",
                  via: "SIP/2.0/UDP 127.0.0.1:9;received=127.0.0.1;rport;branch=z9hG4bK-r7",
                  echoed: "SIP/2.0/UDP 127.0.0.1:9;received=127.0.0.1;rport=PORT;branch=z9hG4bK-r7"),
        RportCase(name: "sent-by is a host name: rport filled, received added",
                  via: "SIP/2.0/UDP phone.example.com:9;branch=z9hG4bK-r2;rport",
                  echoed: "SIP/2.0/UDP phone.example.com:9;branch=z9hG4bK-r2;rport=PORT;received=127.0.0.1"),
        RportCase(name: "sent-by is another IP: received added",
                  via: "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-r3;rport",
                  echoed: "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-r3;rport=PORT;received=127.0.0.1"),
        RportCase(name: "sent-by without a port",
                  via: "SIP/2.0/UDP phone.example.com;rport;branch=z9hG4bK-r4",
                  echoed: "SIP/2.0/UDP phone.example.com;rport=PORT;branch=z9hG4bK-r4;received=127.0.0.1"),
        RportCase(name: "an existing received is replaced",
                  via: "SIP/2.0/UDP phone.example.com:9;received=10.9.9.9;branch=z9hG4bK-r5;rport",
                  echoed: "SIP/2.0/UDP phone.example.com:9;received=127.0.0.1;branch=z9hG4bK-r5;rport=PORT"),
    ]

    /// `;rport` without a value: the answer goes to the source IP and port, with `rport=<source port>`.
    @Test(arguments: rportCases)
    func rportAnswersTheSourcePort(_ testCase: RportCase) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(vias: [testCase.via.replacingPort(client.port)])
        request.uri = "sip:201@127.0.0.1"
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.values("Via") == [testCase.echoed.replacingPort(client.port)])
    }

    /// No rport: the answer goes to the source IP at the Via's port; the sending socket hears nothing.
    @Test(arguments: [
        ("127.0.0.1", ""),
        ("listener.example.com", ";received=127.0.0.1"),
        ("192.0.2.55", ";received=127.0.0.1"),
    ])
    func noRportAnswersTheViaPort(sentByHost: String, addedReceived: String) throws {
        let server = try TestServer.sample()
        let sender = try UDPClient()
        let listener = try UDPClient()
        let via = "SIP/2.0/UDP \(sentByHost):\(listener.port);branch=z9hG4bK-norport"
        var request = TestRequest(vias: [via])
        request.uri = "sip:120@127.0.0.1"
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: sender, answerTo: listener))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.values("Via") == [via + addedReceived])
        #expect(sender.isSilent())
    }

    /// An `rport` that already has a value is not the RFC 3581 request (only a valueless one is): the
    /// answer goes to the Via port, and received is added only when the sent-by differs from the source.
    @Test(arguments: [
        ("127.0.0.1", ""),
        ("phone.example.com", ";received=127.0.0.1"),
    ])
    func rportWithAValueKeepsTheViaRule(sentByHost: String, addedReceived: String) throws {
        let server = try TestServer.sample()
        let sender = try UDPClient()
        let listener = try UDPClient()
        let via = "SIP/2.0/UDP \(sentByHost):\(listener.port);rport=\(sender.port);branch=z9hG4bK-rport-value"
        var request = TestRequest(vias: [via])
        request.uri = "sip:120@127.0.0.1"
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: sender, answerTo: listener))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.values("Via") == [via + addedReceived])
        #expect(sender.isSilent())
    }

    /// A `received` already in the Via is replaced by the real source, and the answer still goes to the Via port.
    @Test func staleReceivedIsReplaced() throws {
        let server = try TestServer.sample()
        let sender = try UDPClient()
        let listener = try UDPClient()
        var request = TestRequest(vias: ["SIP/2.0/UDP nat.example.com:\(listener.port);received=10.9.9.9;branch=z9hG4bK-stale"])
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: sender, answerTo: listener))
        #expect(reply.values("Via") == ["SIP/2.0/UDP nat.example.com:\(listener.port);received=127.0.0.1;branch=z9hG4bK-stale"])
    }

    /// Error answers (400, 405, 501 ...) go where a normal answer would, with the same Via edits.
    @Test func errorAnswersUseTheSameDestination() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(vias: ["SIP/2.0/UDP phone.example.com:9;branch=z9hG4bK-err;rport"])
        request.cseq = "1 OPTIONS"  // mismatches INVITE: 400
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 400 CSeq Method Mismatch")
        #expect(reply.values("Via") == ["SIP/2.0/UDP phone.example.com:9;branch=z9hG4bK-err;rport=\(client.port);received=127.0.0.1"])
    }

    /// In-process, for a routed answer and a 400 alike: sent-by is exactly the source address and port,
    /// and a valueless rport still earns `received=` (RFC 3581 §4), and the reply goes to the source.
    @Test(arguments: [
        ("1 INVITE", "SIP/2.0 401 Unauthorized"),
        ("1 OPTIONS", "SIP/2.0 400 CSeq Method Mismatch"),
    ])
    func rportAddsReceivedEqualToSentBy(cseq: String, statusLine: String) throws {
        let rig = try HandlerRig()
        let source = try #require(SocketAddress(host: "127.0.0.2", port: 5062))
        var request = TestRequest(vias: ["SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bK-inproc;rport"])
        request.cseq = cseq
        let reply = try #require(rig.handler.handle(request.bytes, from: source))
        #expect(reply.destination.description == source.description)
        let parsed = try #require(SIPReply(reply.bytes))
        #expect(parsed.statusLine == statusLine)
        #expect(parsed.values("Via") == ["SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bK-inproc;rport=5062;received=127.0.0.2"])
    }

    /// The server answers IPv6 too: received carries the IPv6 source, rport its port.
    @Test func ipv6Source() throws {
        guard (try? UDPClient(host: "::1")) != nil else { return }  // no IPv6 loopback here
        let server = try TestServer(conf: TempConfDirectory.sample(alsoTrusting: "::1/128"), host: "::1")
        let client = try UDPClient(host: "::1")
        var request = TestRequest(vias: ["SIP/2.0/UDP phone.example.com;branch=z9hG4bK-v6;rport"])
        request.from = "<sip:100@globex.example>;tag=v6"
        request.uri = "sip:250@[::1]"
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Contact") == "<sip:250@pbx.globex.example>")
        #expect(reply.values("Via") == ["SIP/2.0/UDP phone.example.com;branch=z9hG4bK-v6;rport=\(client.port);received=::1"])
    }
}

extension FixedPortTests {
    /// No rport and no port in the Via: the answer goes to the source IP at port 5060. 127.0.0.2 is in no
    /// customer's networks, so the answer is the 401 challenge.
    @Suite("Default port 5060")
    struct DefaultPortTests {
        @Test(arguments: [
            ("phone.example.com", ";received=127.0.0.2"),
            ("127.0.0.2", ""),
        ])
        func viaWithoutPortAnswersPort5060(sentByHost: String, addedReceived: String) throws {
            let server = try TestServer.sample()
            let listener = try UDPClient.fixed(host: "127.0.0.2", port: 5060)
            let sender = try UDPClient(host: "127.0.0.2")
            let via = "SIP/2.0/UDP \(sentByHost);branch=z9hG4bK-default-port"
            var request = TestRequest(vias: [via])
            request.uri = "sip:250@127.0.0.1"
            request.from = "<sip:100@globex.example>;tag=g"
            request.cseq = "1 INVITE"
            let reply = try #require(try server.exchange(request, from: sender, answerTo: listener))
            #expect(reply.statusLine == unauthorized)
            #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "globex.example"))
            #expect(reply.values("Via") == [via + addedReceived])
            #expect(sender.isSilent())
        }
    }
}

extension String {
    func replacingPort(_ port: UInt16) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: "PORT") {
            result += rest[..<range.lowerBound] + String(port)
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
