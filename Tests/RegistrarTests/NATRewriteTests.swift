// A Contact whose host is an IP address other than the REGISTER's source (or the same address behind
// a port-mapping NAT) is reached through the source address and port; host names never are.
import Testing

@testable import Registrar

struct NATRow: Sendable, CustomTestStringConvertible {
    var name: String
    var contact: String
    var sourceIP: String
    var sourcePort: UInt16
    var target: String

    var testDescription: String { name }
}

let natRows: [NATRow] = [
    NATRow(
        name: "private IPv4 behind NAT", contact: "sip:201@192.168.1.20:5060;transport=udp", sourceIP: "203.0.113.7",
        sourcePort: 40_000, target: "sip:201@203.0.113.7:40000;transport=udp"),
    NATRow(
        name: "IPv4 without port", contact: "sip:201@10.0.0.5", sourceIP: "203.0.113.7", sourcePort: 5060,
        target: "sip:201@203.0.113.7:5060"),
    NATRow(
        name: "IPv6 contact, IPv6 source", contact: "sip:201@[fd00::20]:5060;ob", sourceIP: "2001:db8::7", sourcePort: 5062,
        target: "sip:201@[2001:db8::7]:5062;ob"),
    NATRow(
        name: "IPv4 contact, IPv6 source (brackets added)", contact: "sip:201@10.0.0.5:5060", sourceIP: "[2001:db8::7]",
        sourcePort: 5062, target: "sip:201@[2001:db8::7]:5062"),
    NATRow(
        name: "the same IPv6 address written otherwise is the same", contact: "sip:201@[2001:DB8:0::7]:5062",
        sourceIP: "2001:db8::7", sourcePort: 5062, target: "sip:201@[2001:DB8:0::7]:5062"),
    NATRow(
        name: "host name: never rewritten", contact: "sip:201@phone.example:5060", sourceIP: "203.0.113.7",
        sourcePort: 40_000, target: "sip:201@phone.example:5060"),
    NATRow(
        name: "same IP, another port: rewritten to the source port", contact: "sip:201@203.0.113.7:5060",
        sourceIP: "203.0.113.7", sourcePort: 40_000, target: "sip:201@203.0.113.7:40000"),
    NATRow(
        name: "same IP and port: unchanged", contact: "sip:201@203.0.113.7:5070", sourceIP: "203.0.113.7", sourcePort: 5070,
        target: "sip:201@203.0.113.7:5070"),
    NATRow(
        name: "same IP, no port, source port 5060: unchanged", contact: "sip:201@203.0.113.7", sourceIP: "203.0.113.7",
        sourcePort: 5060, target: "sip:201@203.0.113.7"),
    NATRow(
        name: "same IP, no port, source port 5070: rewritten", contact: "sip:201@203.0.113.7", sourceIP: "203.0.113.7",
        sourcePort: 5070, target: "sip:201@203.0.113.7:5070"),
    NATRow(
        name: "sips without port defaults to 5061", contact: "sips:201@203.0.113.7", sourceIP: "203.0.113.7",
        sourcePort: 5061, target: "sips:201@203.0.113.7"),
    NATRow(
        name: "userinfo with password, parameters and headers kept", contact: "sip:201:secret@10.0.0.5;transport=tcp?X-A=b",
        sourceIP: "198.51.100.1", sourcePort: 5070, target: "sip:201:secret@198.51.100.1:5070;transport=tcp?X-A=b"),
    NATRow(
        name: "no user part", contact: "sip:10.0.0.5:5060", sourceIP: "198.51.100.1", sourcePort: 5070,
        target: "sip:198.51.100.1:5070"),
    NATRow(
        name: "telephone-subscriber user with ';' and '?' kept", contact: "sip:+1555;phone-context=x?y@10.0.0.5",
        sourceIP: "198.51.100.1", sourcePort: 5070, target: "sip:+1555;phone-context=x?y@198.51.100.1:5070"),
]

@Suite("NAT rewrite")
struct NATRewriteTests {
    @Test("target of a fresh binding", arguments: natRows)
    func rewrite(row: NATRow) throws {
        let (service, _) = try service()
        let outcome = service.register(request([.uri(row.contact)], sourceIP: row.sourceIP, sourcePort: row.sourcePort), now: t0)
        let bound = try #require(outcome.bindings?.first)
        #expect(bound.contact == row.contact)
        #expect(bound.target == row.target)
    }

    @Test("natRewrite = false: the target is the contact")
    func disabled() throws {
        let (service, _) = try service(settings: settings(natRewrite: false))
        let outcome = service.register(
            request([.uri("sip:201@192.168.1.20:5060")], sourceIP: "203.0.113.7", sourcePort: 40_000), now: t0)
        #expect(outcome.bindings?.first?.target == "sip:201@192.168.1.20:5060")
    }

    @Test("the binding records its source as IP:PORT, IPv6 in brackets")
    func source() throws {
        let (service, _) = try service()
        let v4 = service.register(request([.uri("sip:201@10.0.0.5")], sourceIP: "203.0.113.7", sourcePort: 40_000), now: t0)
        #expect(v4.bindings?.first?.source == "203.0.113.7:40000")
        let v6 = service.register(request([.uri("sip:201@10.0.0.6")], sourceIP: "2001:db8::7", sourcePort: 5062), now: t0)
        #expect(v6.bindings?.map(\.source).contains("[2001:db8::7]:5062") == true)
    }
}
