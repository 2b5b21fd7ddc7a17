import Config
import Foundation
import Logging
import Routing
import Server
import Testing

@Suite("Edge cases of echoing and dispatch")
struct EdgeCaseTests {
    /// A To tag written in another case or with LWS around `=` is still a tag: no second one is added.
    @Test(arguments: [
        "<sip:201@127.0.0.1>;TAG=upper-1",
        "<sip:201@127.0.0.1>;Tag=mixed-2",
        "<sip:201@127.0.0.1> ; tag = spaced-3",
        "sip:201@127.0.0.1;tag=bare-4",
        "\"Desk\" <sip:201@127.0.0.1;transport=udp>;x=1;tag=last-5",
    ])
    func existingTagInAnySpellingIsKept(to: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        request.to = to
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("To") == to)
    }

    /// Header values that are not UTF-8 (a Latin-1 display name) are still echoed byte for byte: RFC 3261
    /// §8.2.6.2 and the spec ("copy ... From ... exactly", "keep the To URI").
    @Test(arguments: ["From", "To"])
    func nonUTF8ValueIsEchoedByteForByte(header: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        let value: [UInt8]
        if header == "From" {
            request.from = "PLACEHOLDER"
            value = Array("\"Ren".utf8) + [0xE9] + Array(" Martin\" <sip:100@acme.example>;tag=latin1".utf8)
        } else {
            request.to = "PLACEHOLDER"
            value = Array("\"R\u{E9}ception ".utf8) + [0xE9, 0xE8] + Array("\" <sip:201@127.0.0.1>;tag=latin1".utf8)
        }
        var bytes = request.bytes
        let marker = Array("PLACEHOLDER".utf8)
        let index = try #require((0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
        bytes.replaceSubrange(index..<(index + marker.count), with: value)
        let reply = try #require(try server.exchange(bytes, from: client))
        // Whatever the verdict (302, or 400 for a display name RFC 3261 does not allow), the value is copied exactly.
        #expect(reply.rawValue(header) == value, "\(reply.statusLine)")
    }

    /// The caller is the From URI's host, whatever form the From header takes. A From without a host
    /// (tel:) or with an unknown one is challenged: in the From host's realm, or "switchd" without one.
    @Test(
        arguments: [
            ("sip:100@acme.example;tag=addr-spec", "SIP/2.0 302 Moved Temporarily", nil),
            ("\"Reception\" <sip:100@acme.example:5060;transport=udp>;tag=x", "SIP/2.0 302 Moved Temporarily", nil),
            ("<sips:100@acme.example>;tag=x", "SIP/2.0 302 Moved Temporarily", nil),
            ("Reception <sip:100@ACME.EXAMPLE>;tag=x", "SIP/2.0 302 Moved Temporarily", nil),
            ("<sip:acme.example>;tag=no-user", "SIP/2.0 302 Moved Temporarily", nil),
            ("<tel:+15550100>;tag=x", "SIP/2.0 401 Unauthorized", "switchd"),
            ("<sip:100@globex.example.evil>;tag=x", "SIP/2.0 401 Unauthorized", "globex.example.evil"),
        ] as [(String, String, String?)])
    func callerFromAnyFromForm(from: String, statusLine: String, realm: String?) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = TestRequest(uri: "sip:201@127.0.0.1", from: from, client: client)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == statusLine)
        #expect(reply.value("From") == from)
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == (realm.map { expectedChallenges(realm: $0) } ?? []))
    }

    /// CSeq numbers must be below 2**31 (RFC 3261 §8.1.1.5).
    @Test(arguments: [
        ("2147483647 INVITE", "SIP/2.0 302 Moved Temporarily"), ("2147483648 INVITE", "SIP/2.0 400 CSeq Number Too Large"),
        ("0 INVITE", "SIP/2.0 302 Moved Temporarily"),
    ])
    func cseqNumberLimit(cseq: String, statusLine: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        request.cseq = cseq
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == statusLine)
        #expect(reply.value("CSeq") == cseq)
    }

    /// User parameters and URI parameters do not change the dialled number.
    @Test(arguments: [
        "sip:201;phone-context=acme.example@127.0.0.1",
        "sip:201@127.0.0.1;user=phone",
        "sip:201@127.0.0.1:5060;transport=udp",
        "sip:201@127.0.0.1?Subject=hello",
        "sip:201:secret@127.0.0.1",
    ])
    func uriParametersDoNotChangeTheNumber(uri: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = TestRequest(uri: uri, client: client)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Contact") == "<sip:201@10.1.0.21:5060>")
    }

    /// A retransmitted malformed request gets the same 400, To tag included.
    @Test func retransmittedErrorGetsTheSameResponse() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        request.cseq = "1 BYE"
        let first = try #require(try server.exchange(request, from: client))
        let second = try #require(try server.exchange(request, from: client))
        #expect(first.statusLine == "SIP/2.0 400 CSeq Method Mismatch")
        #expect(first.raw == second.raw)
    }

    /// With several listen addresses, each answer leaves from the socket its request came in on.
    @Test func answersLeaveFromTheReceivingSocket() throws {
        // The IPv6 listener's caller sends from ::1: trusted like 127.0.0.1.
        let conf = try TempConfDirectory.sample(alsoTrusting: "::1/128")
        let configuration = try ConfigLoader.load(directory: conf.path)
        var logger = Logger(label: "switchd-server-tests")
        logger.logLevel = .critical
        let hasIPv6 = (try? UDPClient(host: "::1")) != nil
        let listen =
            [ListenAddress(host: "127.0.0.1", port: 0), ListenAddress(host: "127.0.0.1", port: 0)]
            + (hasIPv6 ? [ListenAddress(host: "::1", port: 0)] : [])
        let server = try SIPServer(configuration: configuration, configDirectory: conf.path, listen: listen, logger: logger)
        server.start()
        defer { server.stop() }
        #expect(server.boundAddresses.count == listen.count)
        for (index, address) in server.boundAddresses.enumerated() {
            let host = index == 2 ? "::1" : "127.0.0.1"
            let client = try UDPClient(host: host)
            var request = TestRequest(branch: "z9hG4bK-listener-\(index)", client: client)
            request.from = "<sip:100@globex.example>;tag=l\(index)"
            try client.send(request.bytes, toHost: host, port: address.port)
            let datagram = try #require(client.receive())
            #expect(datagram.sourceHost == host && datagram.sourcePort == address.port, "listener \(index)")
            #expect(SIPReply(datagram.bytes)?.value("Contact") == "<sip:201@pbx.globex.example>")
        }
    }

    /// A CR inside an echoed value cannot end the line early: the answer stays one well-formed message.
    @Test func loneCRInAValueCannotSplitTheResponse() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(client: client)
        request.callID = "abc\rInjected: yes"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.values("Injected").isEmpty)
        #expect(reply.headers.allSatisfy { !$0.value.contains("\r") && !$0.value.contains("\n") })
    }
}

extension FixedPortTests {
    @Suite("Torture echoes")
    struct TortureEchoTests {
        /// wsinv: the To already carries a tag (`tag    = 1918181833n`): no second tag; all three Vias echoed.
        @Test func wsinvKeepsItsToTagAndVias() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let reply = try #require(try server.exchange(tortureBytes("wsinv"), from: sockets.port5060))
            #expect(reply.statusLine == routed)
            let to = try #require(reply.value("To"))
            #expect(to.lowercased().components(separatedBy: "tag").count == 2, "one tag only: \(to)")
            #expect(to.hasSuffix("1918181833n"))
            #expect(reply.values("Via").count == 3)
            #expect(reply.value("Call-ID") == "wsinv.ndaksdj@192.0.2.1")
        }

        /// intmeth: the NUL and the odd bytes in To, From and Call-ID are echoed exactly in the 501.
        @Test func intmethEchoesEveryByte() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes("intmeth")
            let reply = try #require(try server.exchange(bytes, from: sockets.port5060))
            #expect(reply.statusLine == "SIP/2.0 501 Not Implemented")
            for name in ["From", "Call-ID", "CSeq"] {
                #expect(reply.rawValue(name) == rawHeaderValues(of: bytes, named: name).first, "\(name)")
            }
            let to = try #require(rawHeaderValues(of: bytes, named: "To").first)
            let echoedTo = try #require(reply.rawValue("To"))
            #expect(Array(echoedTo.prefix(to.count)) == to)
            #expect(Array(echoedTo.dropFirst(to.count).prefix(5)) == Array(";tag=".utf8))
            #expect(reply.values("Via") == ["SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~;received=127.0.0.2"])
        }
    }
}
