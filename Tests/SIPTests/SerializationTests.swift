// Exact response text: Via order, received/rport on the top Via only, To tag
// added only when absent, extra headers after CSeq.
import Testing
@testable import SIP

let sampleInvite = message([
    "INVITE sip:+4930123@switch.example.com SIP/2.0",
    "Via: SIP/2.0/UDP pbx.example.net:5062;rport;branch=z9hG4bKtop",
    "Via: SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKmid, SIP/2.0/UDP 10.0.0.8;rport;branch=z9hG4bKlow",
    "Max-Forwards: 69",
    "From: \"Alice\" <sip:alice@example.net>;tag=from1",
    "To: <sip:+4930123@switch.example.com>",
    "Call-ID: abc123@pbx.example.net",
    "CSeq: 42 INVITE",
    "Content-Length: 0",
])

private func parsedRequest(_ bytes: [UInt8]) throws -> SIPRequest {
    guard case let .request(r) = SIPParser.parse(bytes) else { throw TestFailure("not a request") }
    return r
}

@Test func redirectForSampleInvite() throws {
    let request = try parsedRequest(sampleInvite)
    let response = SIPResponse(status: 302, reasonPhrase: "Moved Temporarily",
                               headers: [("Contact", "<sip:+4930123@gw1.example.com>")])
    let text = String(decoding: response.serialize(echoing: request, toTag: "sw1", received: "192.0.2.44", rport: 5062),
                      as: UTF8.self)
    #expect(text == """
        SIP/2.0 302 Moved Temporarily\r
        Via: SIP/2.0/UDP pbx.example.net:5062;rport=5062;branch=z9hG4bKtop;received=192.0.2.44\r
        Via: SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKmid\r
        Via: SIP/2.0/UDP 10.0.0.8;rport;branch=z9hG4bKlow\r
        From: "Alice" <sip:alice@example.net>;tag=from1\r
        To: <sip:+4930123@switch.example.com>;tag=sw1\r
        Call-ID: abc123@pbx.example.net\r
        CSeq: 42 INVITE\r
        Contact: <sip:+4930123@gw1.example.com>\r
        Server: switchd\r
        Content-Length: 0\r
        \r

        """)
}

@Test func existingToTagAndReceivedAreKept() throws {
    var lines = [
        "OPTIONS sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 10.0.0.1;received=1.1.1.1;branch=z9hG4bKx",
        "From: <sip:a@example.com>;tag=1",
        "To: <sip:b@example.com>;tag=existing",
        "Call-ID: k", "CSeq: 7 OPTIONS",
    ]
    let request = try parsedRequest(message(lines))
    let bytes = SIPResponse(status: 200, reasonPhrase: "OK")
        .serialize(echoing: request, toTag: "new", received: "192.0.2.1", rport: 5060)
    let text = String(decoding: bytes, as: UTF8.self)
    // received replaced, rport not added (the Via did not ask for it), To untouched.
    #expect(text.contains("Via: SIP/2.0/UDP 10.0.0.1;received=192.0.2.1;branch=z9hG4bKx\r\n"))
    #expect(text.contains("To: <sip:b@example.com>;tag=existing\r\n"))
    lines[3] = "To: <sip:b@example.com>"
    let untagged = try parsedRequest(message(lines))
    let noTag = String(decoding: SIPResponse(status: 100, reasonPhrase: "Trying")
        .serialize(echoing: untagged, toTag: nil, received: nil, rport: nil), as: UTF8.self)
    #expect(noTag.contains("To: <sip:b@example.com>\r\n"))
    #expect(noTag.contains("Via: SIP/2.0/UDP 10.0.0.1;received=1.1.1.1;branch=z9hG4bKx\r\n"))
}

@Test func badRequestEchoesWhatWasRecovered() throws {
    guard case let .invalid(invalid) = SIPParser.parse(try TortureCorpus.bytes("insuf")) else {
        Issue.record("insuf not invalid"); return
    }
    #expect(invalid.problem == .malformed("Missing To, From, Call-ID"))
    let text = String(decoding: SIPResponse(status: 400, reasonPhrase: "Missing To, From, Call-ID")
        .serialize(echoing: invalid, toTag: "t1", received: "192.0.2.95", rport: nil), as: UTF8.self)
    #expect(text == """
        SIP/2.0 400 Missing To, From, Call-ID\r
        Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf;received=192.0.2.95\r
        CSeq: 193942 INVITE\r
        Server: switchd\r
        Content-Length: 0\r
        \r

        """)
}

@Test func badRequestAddsToTagOnlyWhenSplittable() throws {
    guard case let .invalid(quotbal) = SIPParser.parse(try TortureCorpus.bytes("quotbal")),
          case let .invalid(mismatch) = SIPParser.parse(try TortureCorpus.bytes("mismatch01"))
    else { Issue.record("expected invalid"); return }
    let response = SIPResponse(status: 400, reasonPhrase: "Bad Request")
    let q = String(decoding: response.serialize(echoing: quotbal, toTag: "x", received: nil, rport: nil), as: UTF8.self)
    #expect(q.contains("To: \"Mr. J. User <sip:j.user@example.com>\r\n"))
    let m = String(decoding: response.serialize(echoing: mismatch, toTag: "x", received: nil, rport: nil), as: UTF8.self)
    #expect(m.contains("To: sip:j.user@example.com;tag=x\r\n"))
    #expect(m.contains("CSeq: 8 INVITE\r\n"))
}

@Test func longreqEchoesAllViasInOrder() throws {
    let request = try parsedRequest(try TortureCorpus.bytes("longreq"))
    let text = String(decoding: SIPResponse(status: 404, reasonPhrase: "Not Found")
        .serialize(echoing: request, toTag: "z", received: nil, rport: nil), as: UTF8.self)
    let viaLines = text.split(separator: "\r\n").filter { $0.hasPrefix("Via: ") }.map { String($0.dropFirst(5)) }
    #expect(viaLines == request.vias.map(\.raw))
    #expect(viaLines.count == 34)
}

@Test func escnullEchoesFromAndToIntact() throws {
    let request = try parsedRequest(try TortureCorpus.bytes("escnull"))
    let text = String(decoding: SIPResponse(status: 405, reasonPhrase: "Method Not Allowed", headers: [("Allow", "INVITE, OPTIONS, ACK, CANCEL")])
        .serialize(echoing: request, toTag: "q", received: nil, rport: nil), as: UTF8.self)
    #expect(text.contains("From: sip:null-%00-null@example.com;tag=839923423\r\n"))
    #expect(text.contains("To: sip:null-%00-null@example.com;tag=q\r\n"))
    #expect(text.contains("Allow: INVITE, OPTIONS, ACK, CANCEL\r\n"))
}
