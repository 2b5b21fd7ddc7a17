// Compact and folded headers, Via lists, rport/received and IPv6 sent-by.
import Testing

@testable import SIP

private func parseRequest(_ lines: [String], body: String = "") throws -> SIPRequest {
    let result = SIPParser.parse(message(lines, body: body))
    guard case let .request(request) = result else { throw TestFailure("not a request: \(result)") }
    return request
}

@Test func compactHeaderNames() throws {
    let r = try parseRequest([
        "INVITE sip:bob@example.com SIP/2.0",
        "v: SIP/2.0/UDP host.example.com;branch=z9hG4bKc",
        "f: Alice <sip:alice@example.com>;tag=f1",
        "t: sip:bob@example.com",
        "i: compact@host",
        "CSeq: 5 INVITE",
        "m: <sip:alice@192.0.2.1>",
        "l: 0",
    ])
    #expect(r.from.tag == "f1")
    #expect(r.from.uri?.user == "alice")
    #expect(r.to.raw == "sip:bob@example.com")
    #expect(r.callID == "compact@host")
    #expect(r.contentLength == 0)
    #expect(r.vias.first?.branch == "z9hG4bKc")
}

@Test func foldedHeadersAreUnfoldedWithOneSpace() throws {
    let r = try parseRequest([
        "OPTIONS sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.1",
        "\t;branch=z9hG4bKf",
        "From: <sip:alice@example.com>",
        "   ;tag=x",
        "To: <sip:bob@example.com>",
        "Call-ID: fold",
        "CSeq: 1",
        "  OPTIONS",
        "Require: 100rel,",
        " timer",
        "Require: path",
    ])
    #expect(r.vias.first?.raw == "SIP/2.0/UDP 192.0.2.1 ;branch=z9hG4bKf")
    #expect(r.vias.first?.branch == "z9hG4bKf")
    #expect(r.from.raw == "<sip:alice@example.com> ;tag=x")
    #expect(r.from.tag == "x")
    #expect(r.cseq.raw == "1 OPTIONS")
    #expect(r.require == ["100rel", "timer", "path"])
    #expect(!r.hasMaxForwards)
}

@Test func multipleViaHeadersAndCommaSeparatedValues() throws {
    let r = try parseRequest([
        "INVITE sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5080;branch=z9hG4bK2",
        "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3",
        "v: SIP/2.0/UDP d.example.com;branch=z9hG4bK4",
        "From: <sip:a@example.com>;tag=1", "To: <sip:b@example.com>", "Call-ID: v", "CSeq: 1 INVITE",
        "Max-Forwards: 70",
    ])
    #expect(r.vias.map(\.host) == ["a.example.com", "b.example.com", "c.example.com", "d.example.com"])
    #expect(
        r.vias.map(\.raw) == [
            "SIP/2.0/UDP a.example.com;branch=z9hG4bK1", "SIP/2.0/TCP b.example.com:5080;branch=z9hG4bK2",
            "SIP/2.0/UDP c.example.com;branch=z9hG4bK3", "SIP/2.0/UDP d.example.com;branch=z9hG4bK4",
        ])
    #expect(r.vias[1].port == 5080)
    #expect(r.vias[1].transport == "TCP")
}

@Test func rportAndReceivedParameters() throws {
    let r = try parseRequest([
        "OPTIONS sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 10.0.0.1:5062;rport;branch=z9hG4bKr",
        "Via: SIP/2.0/UDP 10.0.0.2;received=192.0.2.7;rport=6000;branch=z9hG4bKs",
        "From: <sip:a@example.com>;tag=1", "To: <sip:b@example.com>", "Call-ID: r", "CSeq: 1 OPTIONS",
    ])
    #expect(r.vias[0].hasRport && r.vias[0].rport == nil && r.vias[0].received == nil)
    #expect(r.vias[0].port == 5062)
    #expect(r.vias[1].hasRport && r.vias[1].rport == 6000 && r.vias[1].received == "192.0.2.7")
    #expect(r.vias[1].port == nil)
}

@Test func ipv6SentBy() throws {
    let r = try parseRequest([
        "OPTIONS sip:bob@[2001:db8::1]:5070 SIP/2.0",
        "Via: SIP/2.0/UDP [::1]:5070;branch=z9hG4bK6;rport",
        "From: <sip:a@[::1]>;tag=1", "To: <sip:b@example.com>", "Call-ID: six", "CSeq: 1 OPTIONS",
    ])
    #expect(r.vias[0].host == "::1")
    #expect(r.vias[0].port == 5070)
    #expect(r.requestURI == SIPURI(scheme: "sip", user: "bob", host: "2001:db8::1", port: 5070))
    #expect(r.from.uri?.host == "::1")
}

@Test func telURIAndAuthorization() throws {
    let r = try parseRequest([
        "INVITE tel:+15551234;phone-context=example.com SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKt",
        "From: \"A, B\" <sip:a@example.com>;tag=1", "To: <tel:+15551234>", "Call-ID: t", "CSeq: 1 INVITE",
        "Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"tel:+15551234\", response=\"x\"",
    ])
    #expect(r.requestURI == SIPURI(scheme: "tel", user: "+15551234", host: ""))
    #expect(r.to.uri?.scheme == "tel")
    #expect(r.authorization.count == 1)
    #expect(r.authorization[0].hasPrefix("Digest username=\"a\""))
}

@Test func toleratesBareLineFeeds() throws {
    let bytes = Array(
        "OPTIONS sip:b@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKl\nFrom: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: lf\nCSeq: 1 OPTIONS\n\n"
            .utf8)
    guard case let .request(r) = SIPParser.parse(bytes) else { Issue.record("LF-only refused"); return }
    #expect(r.vias[0].host == "h")
}

/// The tolerant Swift Via parser (used when osip refuses a message) agrees with
/// osip on every Via of every torture request.
@Test func tolerantViaParserAgreesWithOsip() throws {
    for name in TortureCorpus.names {
        guard case let .request(r) = SIPParser.parse(try TortureCorpus.bytes(name)) else { continue }
        for via in r.vias {
            let tolerant = SIPVia.tolerant(via.raw)
            #expect(tolerant?.host == via.host, "\(name): \(via.raw)")
            #expect(tolerant?.port == via.port, "\(name): \(via.raw)")
            #expect(tolerant?.transport == via.transport, "\(name): \(via.raw)")
            #expect(tolerant?.branch == via.branch, "\(name): \(via.raw)")
            #expect(tolerant?.received == via.received, "\(name): \(via.raw)")
        }
    }
}
