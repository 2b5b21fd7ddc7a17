import Foundation
import Server
import Testing

/// Request-URIs of another scheme than sip/sips (RFC 3261 §8.2.2.1): 416 for INVITE and OPTIONS, whatever
/// the form of the rest of the URI, including forms libosip2 itself refuses to parse (`x:yyy`,
/// `h323:a@b`, `a+b.c-9://...`, `abc:y`); never a 400. Method dispatch comes first (§8.2.1), and a
/// scheme that is not one by RFC 3986 stays a 400. In-process through `RequestHandler.handle`.
@Suite("Request-URI schemes")
struct URISchemeTests {
    /// Valid RFC 3986 schemes in many forms (some start like sip but are not it); the first group
    /// libosip2 refuses to parse on its own.
    static let unsupportedURIs = [
        // libosip2 refuses these (before the stand-in URI they were a 400 "Malformed Message").
        "a+b.c-9://host:5060;x=y",
        "x:yyy",
        "x://h",
        "abc:y",
        "http:x",
        "h323:alice@example.com",
        "a9:yyy",
        "z:%41",
        "a.b:c",
        "a-b:c",
        "foo:",
        "abc:/",
        "a:b?c",
        "a:b#c",
        "a:b/c;d",
        "sip.x:201@127.0.0.1",
        "sips-x:201@127.0.0.1",
        // libosip2 accepts these.
        "nobodyKnowsThisScheme:totallyopaquecontent",
        "http://example.com/path",
        "urn:service:sos",
        "mailto:a@b",
        "im:alice@example.com",
        "ftp://[::1]:21/x?y=z#f",
        "ldap://[2001:db8::7]/c=GB?objectClass?one",
        "data:,x",
        "sipx:201@127.0.0.1",
    ]

    /// Not a scheme by RFC 3986 (ALPHA first, then ALPHA / DIGIT / "+" / "-" / "."), or no scheme at all.
    static let malformedURIs = ["1abc:foo", "-x:y", "+a:b", ".a:b", ":foo", "a_b:c", "a!b:c", "nocolon", "201@127.0.0.1"]

    static let routableMethods = ["INVITE", "OPTIONS"]

    /// A request from 127.0.0.1 (acme's network) with `uri` on the request line and in To.
    static func request(_ method: String, uri: String) -> TestRequest {
        var request = TestRequest(vias: ["SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-scheme;rport"])
        request.method = method
        request.uri = uri
        request.cseq = "1 \(method)"
        return request
    }

    static func answer(_ request: TestRequest, sourceLocation: SourceLocation = #_sourceLocation) throws -> SIPReply {
        let rig = try HandlerRig()
        let source = try #require(SocketAddress(host: "127.0.0.1", port: 5062), sourceLocation: sourceLocation)
        let reply = try #require(rig.handler.handle(request.bytes, from: source), "no answer", sourceLocation: sourceLocation)
        return try #require(SIPReply(reply.bytes), sourceLocation: sourceLocation)
    }

    @Test(arguments: routableMethods, unsupportedURIs)
    func unsupportedSchemeGets416(method: String, uri: String) throws {
        let request = Self.request(method, uri: uri)
        let reply = try Self.answer(request)
        #expect(reply.statusLine == "SIP/2.0 416 Unsupported URI Scheme")
        #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Server", "Content-Length"])
        #expect(reply.values("Via") == ["SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-scheme;rport=5062;received=127.0.0.1"])
        #expect(reply.value("From") == request.from)
        #expect(reply.value("Call-ID") == request.callID)
        #expect(reply.value("CSeq") == "1 \(method)")
        #expect(reply.value("To")?.hasPrefix("<sip:201@127.0.0.1>;tag=") == true)
        #expect(reply.value("Content-Length") == "0")
    }

    /// Method dispatch comes before the scheme (RFC 3261 §8.2.1 before §8.2.2.1): 405 and 501 stay;
    /// REGISTER is served, so its Request-URI scheme is checked like an INVITE's.
    @Test(arguments: ["a+b.c-9://host:5060;x=y", "x:yyy", "h323:alice@example.com", "tel:+1-201-555-0123"])
    func methodDispatchComesFirst(uri: String) throws {
        let register = try Self.answer(Self.request("REGISTER", uri: uri))
        #expect(register.statusLine == "SIP/2.0 416 Unsupported URI Scheme")
        let bye = try Self.answer(Self.request("BYE", uri: uri))
        #expect(bye.statusLine == "SIP/2.0 405 Method Not Allowed")
        #expect(bye.value("Allow") == "INVITE, ACK, CANCEL, OPTIONS, REGISTER")
        let unknown = try Self.answer(Self.request("FROBNICATE", uri: uri))
        #expect(unknown.statusLine == "SIP/2.0 501 Not Implemented")
        #expect(unknown.value("Allow") == "INVITE, ACK, CANCEL, OPTIONS, REGISTER")
    }

    @Test(arguments: routableMethods, malformedURIs)
    func malformedSchemeIs400(method: String, uri: String) throws {
        let reply = try Self.answer(Self.request(method, uri: uri))
        #expect(reply.statusLine == "SIP/2.0 400 Malformed Request-URI")
    }

    /// The scheme is case-insensitive: `SIP:` and `Sips:` are sip and sips, routed as usual.
    @Test(arguments: routableMethods, ["SIP:201@127.0.0.1", "Sips:201@127.0.0.1"])
    func upperCaseSIPIsSIP(method: String, uri: String) throws {
        let reply = try Self.answer(Self.request(method, uri: uri))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Contact") == "<sip:201@10.1.0.21:5060>")
    }

    /// osip still validates every header of a request with another scheme: a header it refuses is a 400
    /// naming that header, as for a sip: Request-URI.
    @Test(arguments: routableMethods, ["a+b.c-9://host:5060;x=y", "x:yyy", "urn:service:sos"])
    func otherHeadersAreStillValidated(method: String, uri: String) throws {
        var badVia = Self.request(method, uri: uri)
        badVia.vias.append("SIP/2.0/UDP 192.0.2.9;;,;,,")
        #expect(try Self.answer(badVia).statusLine == "SIP/2.0 400 Malformed Via Header")
        var badFrom = Self.request(method, uri: uri)
        badFrom.from = "<sip:alice@>;tag=a1"
        #expect(try Self.answer(badFrom).statusLine == "SIP/2.0 400 Malformed From Header")
    }

    /// RFC 4475 §3.3.12 (unkscm), as an OPTIONS and turned into an INVITE.
    @Test(arguments: routableMethods)
    func tortureMessageUnkscm(method: String) throws {
        let text = String(decoding: try tortureBytes("unkscm"), as: UTF8.self)
            .replacingOccurrences(of: "OPTIONS", with: method)
        let rig = try HandlerRig()
        let source = try #require(SocketAddress(host: "127.0.0.2", port: 5060))
        let reply = try #require(rig.handler.handle(Array(text.utf8), from: source).flatMap { SIPReply($0.bytes) })
        #expect(reply.statusLine == "SIP/2.0 416 Unsupported URI Scheme")
        #expect(reply.value("CSeq") == "3923423 \(method)")
        #expect(reply.values("Via") == ["SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234;received=127.0.0.2"])
    }
}
