import Testing

@Suite("Header copying and To tags")
struct HeaderCopyingTests {
    /// Every Via value in order (separate headers and comma-separated values), only the top one edited.
    @Test func everyViaIsCopiedInOrder() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let top = "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-top;rport"
        var request = TestRequest(vias: [
            top,
            "SIP/2.0/UDP proxy1.example.com:5070;branch=z9hG4bK-p1;received=192.0.2.1",
            "SIP/2.0/TCP proxy2.example.com;branch=z9hG4bK-p2, SIP/2.0/UDP 192.0.2.3:5062;branch=z9hG4bK-p3",
            "SIP/2.0/UDP [2001:db8::1]:5064;branch=z9hG4bK-p4;maddr=239.1.1.1",
        ])
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.values("Via") == [
            "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-top;rport=\(client.port);received=127.0.0.1",
            "SIP/2.0/UDP proxy1.example.com:5070;branch=z9hG4bK-p1;received=192.0.2.1",
            "SIP/2.0/TCP proxy2.example.com;branch=z9hG4bK-p2",
            "SIP/2.0/UDP 192.0.2.3:5062;branch=z9hG4bK-p3",
            "SIP/2.0/UDP [2001:db8::1]:5064;branch=z9hG4bK-p4;maddr=239.1.1.1",
        ])
    }

    /// A comma-separated top Via header: its first value is the top Via and gets rport filled.
    @Test func commaSeparatedTopVia() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(vias: [
            "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-a;rport, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-b",
            "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-c",
        ])
        request.cseq = "1 INVITE"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.values("Via") == [
            "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-a;rport=\(client.port);received=127.0.0.1",
            "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-b",
            "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-c",
        ])
    }

    /// From, Call-ID and CSeq byte for byte, To with its URI and display name kept and a tag added.
    @Test func fromCallIDCSeqExactlyAndToTagAdded() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(uri: "sip:120@127.0.0.1", client: client)
        request.from = "\"Reception \\\"Desk\\\"\" <sip:100@acme.example;user=phone>;tag=a73kszlfl;x-param=1"
        request.to = "\"Somebody\" <sip:120@127.0.0.1;transport=udp>;x-to=yes"
        request.callID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com"
        request.cseq = "4711   INVITE"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("From") == request.from)
        #expect(reply.value("Call-ID") == request.callID)
        #expect(reply.value("CSeq") == request.cseq)
        let to = try #require(reply.value("To"))
        let toPrefix = request.to! + ";tag="
        #expect(to.hasPrefix(toPrefix))
        let tag = String(to.dropFirst(toPrefix.count))
        #expect(tag.count == 16)
        #expect(tag.allSatisfy { $0.isHexDigit })
        #expect(reply.value("Contact") == "<sip:120@pbx.acme.example>")
    }

    /// Compact header names in the request: the values are still copied exactly.
    @Test func compactHeaderNamesAreCopied() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let text = "INVITE sip:201@127.0.0.1 SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-compact;rport\r\n"
            + "f: <sip:100@acme.example>;tag=compact-from\r\n"
            + "t: <sip:201@127.0.0.1>\r\n"
            + "i: compact-call@test\r\n"
            + "CSeq: 7 INVITE\r\n"
            + "Max-Forwards: 70\r\n"
            + "l: 0\r\n\r\n"
        let reply = try #require(try server.exchange(Array(text.utf8), from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.values("Via") == ["SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-compact;rport=\(client.port);received=127.0.0.1"])
        #expect(reply.value("From") == "<sip:100@acme.example>;tag=compact-from")
        #expect(reply.value("Call-ID") == "compact-call@test")
        #expect(reply.value("CSeq") == "7 INVITE")
        #expect(reply.value("To")?.hasPrefix("<sip:201@127.0.0.1>;tag=") == true)
    }

    /// A To that already has a tag is echoed unchanged: no second tag.
    @Test(arguments: ["INVITE", "OPTIONS"])
    func existingToTagIsKept(method: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var request = TestRequest(method: method, uri: "sip:201@127.0.0.1", client: client)
        request.to = "<sip:201@127.0.0.1>;tag=callee-tag-42"
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("To") == "<sip:201@127.0.0.1>;tag=callee-tag-42")
    }

    /// Error answers add the To tag too (and keep an existing one).
    @Test func errorResponsesTagTheTo() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var untagged = TestRequest(method: "BYE", uri: "sip:127.0.0.1", client: client)
        untagged.to = "<sip:100@acme.example>"
        let first = try #require(try server.exchange(untagged, from: client))
        #expect(first.statusLine == "SIP/2.0 405 Method Not Allowed")
        #expect(tagParameter(first.value("To") ?? "")?.count == 16)
        #expect(first.value("To")?.hasPrefix("<sip:100@acme.example>;tag=") == true)

        var tagged = untagged
        tagged.to = "<sip:100@acme.example>;tag=already"
        let second = try #require(try server.exchange(tagged, from: client))
        #expect(second.value("To") == "<sip:100@acme.example>;tag=already")

        var malformed = TestRequest(uri: "sip:201@127.0.0.1", client: client)
        malformed.cseq = "1 OPTIONS"
        let third = try #require(try server.exchange(malformed, from: client))
        #expect(third.statusLine == "SIP/2.0 400 CSeq Method Mismatch")
        #expect(third.value("To")?.hasPrefix("<sip:201@127.0.0.1>;tag=") == true)
        #expect(tagParameter(third.value("To") ?? "")?.count == 16)
    }

    /// A retransmission (the same bytes again) gets the very same response, To tag included.
    @Test(arguments: ["sip:201@127.0.0.1", "sip:300@127.0.0.1", "sip:127.0.0.1"])
    func retransmissionGetsTheSameResponse(uri: String) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = TestRequest(method: uri.contains("@") ? "INVITE" : "OPTIONS", uri: uri, client: client)
        let first = try #require(try server.exchange(request, from: client))
        let second = try #require(try server.exchange(request, from: client))
        #expect(first.raw == second.raw)
        #expect(tagParameter(first.value("To") ?? "") != nil)
        #expect(client.isSilent(), "one answer per datagram")
    }

    enum Change: String, CaseIterable, Sendable { case branch, callID, cseq, fromTag }

    /// A new request (any of branch, Call-ID, CSeq or From tag changed) gets a different To tag.
    @Test(arguments: Change.allCases)
    func newRequestGetsANewToTag(change: Change) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let original = TestRequest(uri: "sip:201@127.0.0.1", branch: "z9hG4bK-original", client: client)
        var changed = original
        switch change {
        case .branch: changed.vias = ["SIP/2.0/UDP \(client.host):\(client.port);branch=z9hG4bK-changed;rport"]
        case .callID: changed.callID = "call-2@test"
        case .cseq: changed.cseq = "2 INVITE"
        case .fromTag: changed.from = "<sip:100@acme.example>;tag=from-2"
        }
        let first = try #require(try server.exchange(original, from: client))
        let second = try #require(try server.exchange(changed, from: client))
        let firstTag = try #require(tagParameter(first.value("To") ?? ""))
        let secondTag = try #require(tagParameter(second.value("To") ?? ""))
        #expect(firstTag != secondTag)
        // And the original again still gets its own tag.
        let again = try #require(try server.exchange(original, from: client))
        #expect(tagParameter(again.value("To") ?? "") == firstTag)
    }
}
