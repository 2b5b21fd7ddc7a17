// The one host judgement (Addressing.HostName) and the one place a SIP URI's host is found
// (Addressing.SIPURIParts), which customer domains, trunk gateways, Contacts and challenge realms share.
import Addressing
import Testing

@Suite("Hosts and SIP URI hosts")
struct HostNameTests {
    @Test(
        "normalised: one spelling per host, nil for what is no host",
        arguments: [
            ("GW.Globex.Example.", "gw.globex.example"),
            ("localhost", "localhost"),
            ("a-1.b-2.example", "a-1.b-2.example"),
            ("192.0.2.7", "192.0.2.7"),
            ("[::ffff:192.0.2.1]", "192.0.2.1"),
            ("[2001:DB8:0::1]", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            (String(repeating: "a", count: 63) + ".example", String(repeating: "a", count: 63) + ".example"),
        ] as [(String, String)])
    func normalised(_ text: String, _ expected: String) {
        #expect(HostName.normalized(text) == expected)
    }

    @Test(
        "not a host",
        arguments: [
            "", ".", "203.1", "1.2.3", "evil.123", "evil.1abc", "1234.1.1.1", "999.1.1.1", "evil..example", ".evil.example",
            "evil.example..", "-evil.example", "evil-.example", "evil_host.example", "x>", "évil.example",
            "\u{212A}.example", "[::g]", "[::1%eth0]", "10.0.0.1\0", String(repeating: "a", count: 64) + ".example",
            String(repeating: "abcdefghi.", count: 25) + "example",
        ])
    func notAHost(_ text: String) {
        #expect(HostName.normalized(text) == nil)
    }

    @Test(
        "the host of a sip:/sips: URI, as written",
        arguments: [
            ("sip:201@10.1.0.21:5060", "10.1.0.21", ":5060"),
            ("SIPS:+{number}@intl-gw.acme.example:5061", "intl-gw.acme.example", ":5061"),
            ("sip:{number}@gw.acme.example", "gw.acme.example", ""),
            ("sip:201@[2001:db8::1]:5060;ob", "[2001:db8::1]", ":5060;ob"),
            ("sip:+1555;phone-context=x?y@10.0.0.5;transport=tcp?X-A=b", "10.0.0.5", ";transport=tcp?X-A=b"),
            ("sip:pbx.example?x=y", "pbx.example", "?x=y"),
        ] as [(String, String, String)])
    func hosts(_ text: String, _ host: String, _ rest: String) throws {
        let parts = try SIPURIParts.split(text).get()
        #expect(parts.host == host[...])
        #expect(parts.rest == rest[...])
    }

    @Test(
        "the port after the host, and what follows it",
        arguments: [
            ("sip:201@10.1.0.21:5060;transport=udp", UInt16?.some(5060), ";transport=udp"),
            ("sip:201@[2001:db8::1]:65535?x=y", 65535, "?x=y"),
            ("sips:201@phone.example;ob", nil, ";ob"),
            ("sip:201@phone.example", nil, ""),
        ] as [(String, UInt16?, String)])
    func ports(_ text: String, _ port: UInt16?, _ tail: String) throws {
        let (written, rest) = try SIPURIParts.split(text).get().hostPort().get()
        #expect(written == port)
        #expect(rest == tail[...])
    }

    @Test(
        "a port that is no number of 0-65535",
        arguments: ["sip:201@h.example:", "sip:201@h.example:65536", "sip:201@h.example:+5", "sip:201@h.example:5o"])
    func badPorts(_ text: String) throws {
        #expect(try SIPURIParts.split(text).get().hostPort().map(\.port) == .failure(.badPort))
    }

    @Test(
        "no sip:/sips: URI with a host",
        arguments: [
            ("mailto:201@acme.example", SIPURIParts.Problem.unsupportedScheme),
            ("tel:+15551234", .unsupportedScheme),
            ("acme.example", .unsupportedScheme),
            ("sip:201@", .missingHost),
            ("sip:201@:5060", .missingHost),
            ("sip:201@[]", .missingHost),
            ("sip:201@[2001:db8::1", .missingHost),
            ("sip:201@[2001:db8::1]x", .missingHost),
        ] as [(String, SIPURIParts.Problem)])
    func refused(_ text: String, _ problem: SIPURIParts.Problem) {
        #expect(SIPURIParts.split(text) == .failure(problem))
    }
}
