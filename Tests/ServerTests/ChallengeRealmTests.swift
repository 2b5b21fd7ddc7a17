import Server
import Testing

/// The realm of the 401 to an unknown From domain is the From host, but only a valid RFC 3261 host
/// (hostname / IPv4address / IPv6reference); anything else is challenged in the realm "switchd", so a
/// From host cannot write parameters of its own into `WWW-Authenticate`. In-process through
/// `RequestHandler.handle`, from 127.0.0.2 (in no customer's networks).
@Suite("Challenge realm of unknown domains")
struct ChallengeRealmTests {
    /// An INVITE to 202 from 127.0.0.2:5060 with this From value.
    static func challenge(from: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SIPReply {
        let rig = try HandlerRig()
        var request = TestRequest(vias: ["SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-realm;rport"])
        request.uri = "sip:202@127.0.0.1"
        request.to = "<sip:202@127.0.0.1>"
        request.from = from
        let source = try #require(SocketAddress(host: "127.0.0.2", port: 5060), sourceLocation: sourceLocation)
        let reply = try #require(rig.handler.handle(request.bytes, from: source), "no answer", sourceLocation: sourceLocation)
        return try #require(SIPReply(reply.bytes), sourceLocation: sourceLocation)
    }

    /// The attack: quotes in the From host closed the realm and forged `stale` and `opaque`.
    @Test func quotesInTheFromHostForgeNothing() throws {
        let from = #"<sip:a@x", stale=true, opaque="y>"#
        let reply = try Self.challenge(from: from)
        #expect(reply.statusLine == unauthorized)
        #expect(reply.headers.map(\.name) == challengeHeaderNames)
        let challenges = reply.values("WWW-Authenticate")
        #expect(challenges.count == 2)
        #expect(challenges.map(maskingNonces) == expectedChallenges(realm: "switchd"))
        #expect(challenges.allSatisfy { !$0.contains("stale") && !$0.contains("opaque") })
        #expect(reply.value("From") == from, "the From is still echoed as received")
    }

    /// From hosts that are not hosts by RFC 3261: the fixed realm.
    @Test(arguments: [
        #"x", stale=true, opaque="y"#,
        #"evil.example"x""#,
        #"evil\.example"#,
        "-evil.example",
        "evil-.example",
        "evil..example",
        ".evil.example",
        "evil.example..",
        "1.2.3",
        "evil.123",
        "1.2.3.4.5",
        "1234.1.1.1",
        "evil_host.example",
        "ev!l.example",
        "évil.example",
        "[::g]",
        "[1::2::3]",
        "[::1%eth0]",
        #"[::1", stale="true]"#,
        String(repeating: "a", count: 64) + ".example",
        String(repeating: "abcdefghi.", count: 25) + "example",
    ])
    func invalidHostIsChallengedInTheFixedRealm(host: String) throws {
        let reply = try Self.challenge(from: "<sip:a@\(host)>;tag=t")
        #expect(reply.statusLine == unauthorized)
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "switchd"))
    }

    /// Valid hosts that are no customer's domain keep their own realm (lower-cased), as before: a scanner
    /// must not be able to tell unknown domains from known ones by the challenge.
    @Test(arguments: [
        ("evil.example", "evil.example"),
        ("Evil.EXAMPLE", "evil.example"),
        ("evil.example.", "evil.example."),
        ("localhost", "localhost"),
        ("a-1.b-2.example", "a-1.b-2.example"),
        ("192.0.2.7", "192.0.2.7"),
        ("192.0.2.7:5070", "192.0.2.7"),
        ("[::1]", "[::1]"),
        ("[::1]:5060", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]"),
        (String(repeating: "a", count: 63) + ".example", String(repeating: "a", count: 63) + ".example"),
    ])
    func validHostIsItsOwnRealm(host: String, realm: String) throws {
        let reply = try Self.challenge(from: "<sip:a@\(host)>;tag=t")
        #expect(reply.statusLine == unauthorized)
        #expect(reply.headers.map(\.name) == challengeHeaderNames)
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: realm))
    }

    /// A customer's domain is still challenged in the customer's realm.
    @Test func knownDomainKeepsTheCustomerRealm() throws {
        let reply = try Self.challenge(from: "<sip:201@ACME.example>;tag=t")
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
    }
}
