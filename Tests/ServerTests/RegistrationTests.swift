// REGISTER end to end through the request handler (RFC 3261 §10.3): who may register what, expiry,
// removal, ordering, and the exact headers of every answer. The clock is the test's.
import Config
import Foundation
import Logging
import Registrar
import Routing
import Server
import Testing

/// A handler over the sample conf with a location service in memory, on a hand-moved clock.
final class RegistrarRig {
    let handler: RequestHandler
    let location: LocationService
    let clock = ManualClock(1_700_000_000)
    private var sequence = 0

    /// `bound`: the addresses the handler takes its sockets to be bound to; `conf`: the configuration
    /// directory (the sample by default).
    init(
        bound: [(host: String, port: UInt16)] = [("127.0.0.1", 5060)], conf: String = sampleConfDirectory.path,
        settings: RegistrarSettings = RegistrarSettings(), decisionLog: DecisionLog? = nil
    ) throws {
        let configuration = try ConfigLoader.load(directory: conf)
        var logger = Logger(label: "switchd-registrar-tests")
        logger.logLevel = .critical
        let clock = self.clock
        var addresses: [SocketAddress] = []
        for (host, port) in bound { addresses.append(try #require(SocketAddress(host: host, port: port))) }
        location = try LocationService(settings: settings, store: MemoryBindingStore(), now: clock.now)
        handler = RequestHandler(
            plans: PlanStore(configuration.plan), counters: Counters(), logger: logger, nonceSecret: HandlerRig.secret,
            location: location, bound: addresses, decisionLog: decisionLog, clock: { clock.now })
    }

    /// One REGISTER of `aor` (user@domain) from `source`, with these extra headers; the answer.
    func register(
        _ aor: String = "201@acme.example", from: String? = nil, uri: String = "sip:acme.example", source: String = "127.0.0.1",
        port: UInt16 = 5062, callID: String = "reg-1@phone", cseq: Int? = nil, headers: [(String, String)] = []
    ) throws -> SIPReply {
        sequence += 1
        var request = TestRequest(vias: ["SIP/2.0/UDP \(source):\(port);branch=z9hG4bK-reg-\(sequence);rport"])
        request.method = "REGISTER"
        request.uri = uri
        request.from = "<sip:\(from ?? aor)>;tag=reg-\(sequence)"
        request.to = "<sip:\(aor)>"
        request.callID = callID
        request.cseq = "\(cseq ?? sequence) REGISTER"
        request.extra = headers
        let address = try #require(SocketAddress(host: source, port: port))
        let reply = try #require(handler.handle(request.bytes, from: address))
        return try #require(SIPReply(reply.bytes))
    }
}

extension RegistrarRig {
    /// An INVITE from 127.0.0.1 (inside Acme's and Globex's networks) dialling `number` as `caller`.
    func invite(_ number: String, from caller: String, sequence: Int) throws -> SIPReply {
        let request = callRequest(
            dial: number, from: caller, sequence: sequence, via: "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-c\(sequence);rport",
            callID: "call-\(sequence)@test")
        let source = try #require(SocketAddress(host: "127.0.0.1", port: 5070))
        let reply = try #require(handler.handle(request.bytes, from: source))
        return try #require(SIPReply(reply.bytes))
    }
}

@Suite("Registrar over the request handler")
struct RegistrationTests {
    @Test("a trusted phone registers; the 200 lists its binding with the seconds it has left")
    func registers() throws {
        let rig = try RegistrarRig()
        let reply = try rig.register(headers: [
            ("Contact", "<sip:201@192.0.2.50:5062;transport=udp>"), ("User-Agent", "desk phone"),
        ])
        #expect(reply.statusLine == "SIP/2.0 200 OK")
        #expect(reply.values("Contact") == ["<sip:201@192.0.2.50:5062;transport=udp>;expires=3600"])
        let bindings = rig.location.lookup(AddressOfRecord(customerID: "acme", extensionNumber: "201"), now: rig.clock.now)
        #expect(bindings.map(\.contact) == ["sip:201@192.0.2.50:5062;transport=udp"])
        // Behind NAT: the Contact names 192.0.2.50, the REGISTER came from 127.0.0.1:5062.
        #expect(bindings.map(\.target) == ["sip:201@127.0.0.1:5062;transport=udp"])
        #expect(bindings.first?.userAgent == "desk phone")
    }

    @Test("expiry: the Contact's expires, else Expires, else 3600; shortened to 7200; 423 below 60")
    func expiry() throws {
        let rig = try RegistrarRig()
        #expect(
            try rig.register(headers: [("Contact", "<sip:201@10.1.0.21>;expires=600"), ("Expires", "900")]).values("Contact")
                == ["<sip:201@10.1.0.21>;expires=600"])
        #expect(
            try rig.register(headers: [("Contact", "<sip:201@10.1.0.21>"), ("Expires", "900")]).values("Contact")
                == ["<sip:201@10.1.0.21>;expires=900"])
        #expect(
            try rig.register(headers: [("Contact", "<sip:201@10.1.0.21>;expires=86400")]).values("Contact")
                == ["<sip:201@10.1.0.21>;expires=7200"])
        let brief = try rig.register(headers: [("Contact", "<sip:201@10.1.0.21>;expires=30")])
        #expect(brief.statusLine == "SIP/2.0 423 Interval Too Brief")
        #expect(brief.value("Min-Expires") == "60")
        #expect(brief.values("Contact").isEmpty)
        // A query shows the binding unchanged by the refused request.
        let query = try rig.register()
        #expect(query.statusLine == "SIP/2.0 200 OK")
        #expect(query.values("Contact") == ["<sip:201@10.1.0.21>;expires=7200"])
        rig.clock.advance(by: 7_200)
        #expect(try rig.register().values("Contact").isEmpty)
    }

    @Test("expires=0 removes one binding; * with Expires: 0 removes all; * otherwise is 400")
    func removal() throws {
        let rig = try RegistrarRig()
        _ = try rig.register(headers: [("Contact", "<sip:201@10.1.0.21>, <sip:201@10.1.0.22>;q=0.5")])
        #expect(
            try rig.register(headers: [("Contact", "<sip:201@10.1.0.22>;expires=0")]).values("Contact") == [
                "<sip:201@10.1.0.21>;expires=3600"
            ])
        let badWildcard = try rig.register(headers: [("Contact", "*")])
        #expect(badWildcard.statusLine == "SIP/2.0 400 Invalid Wildcard Contact")
        let all = try rig.register(headers: [("Contact", "*"), ("Expires", "0")])
        #expect(all.statusLine == "SIP/2.0 200 OK")
        #expect(all.values("Contact").isEmpty)
    }

    @Test("an older CSeq of the same Call-ID does not overwrite (RFC 3261 §10.3 step 7)")
    func ordering() throws {
        let rig = try RegistrarRig()
        #expect(
            try rig.register(cseq: 5, headers: [("Contact", "<sip:201@10.1.0.21>;expires=600")]).statusLine == "SIP/2.0 200 OK")
        let older = try rig.register(cseq: 4, headers: [("Contact", "<sip:201@10.1.0.21>;expires=0")])
        #expect(older.statusLine == "SIP/2.0 500 Out Of Order Registration")
        #expect(try rig.register(cseq: 6).values("Contact") == ["<sip:201@10.1.0.21>;expires=600"])
        // Another Call-ID (the phone rebooted) may start again from any CSeq.
        #expect(
            try rig.register(callID: "reg-2@phone", cseq: 1, headers: [("Contact", "<sip:201@10.1.0.21>;expires=0")]).values(
                "Contact"
            ).isEmpty)
    }

    @Test(
        "who may register what",
        arguments: [
            (
                "unknown extension", "999@acme.example", nil, "sip:acme.example", [("Contact", "<sip:999@10.1.0.9>")],
                "SIP/2.0 404 Not Found"
            ),
            (
                "another customer's domain", "150@globex.example", "201@acme.example", "sip:acme.example",
                [("Contact", "<sip:150@10.1.0.9>")],
                "SIP/2.0 403 Address Of Record Of Another Customer"
            ),
            (
                "a Request-URI of another domain", "201@acme.example", nil, "sip:globex.example",
                [("Contact", "<sip:201@10.1.0.9>")],
                "SIP/2.0 403 Request-URI Not Served"
            ),
            (
                "the Request-URI may be switchd's own address", "201@acme.example", nil, "sip:127.0.0.1:5060",
                [("Contact", "<sip:201@10.1.0.9>")],
                "SIP/2.0 200 OK"
            ),
            (
                "a Contact on the customer's trunk gateway", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@gw.acme.example>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact on switchd itself", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@127.0.0.1:5060>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact that is not a SIP URI", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<mailto:201@acme.example>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "an extension inside a range", "150@acme.example", nil, "sip:acme.example", [("Contact", "<sip:150@10.1.0.9>")],
                "SIP/2.0 200 OK"
            ),
            (
                "a Contact on the emergency gateway (numbering.toml)", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@Emergency-GW.example>")], "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact on another customer's trunk gateway", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@GW.Globex.Example.>")], "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact on a customer domain (it resolves to switchd)", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@globex.example>")], "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact on localhost", "201@acme.example", nil, "sip:acme.example", [("Contact", "<sip:201@localhost:5070>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact on a name under localhost (RFC 6761)", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@phone.LOCALHOST.:5070>")], "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact whose top label starts with a digit is no host name", "201@acme.example", nil,
                "sip:acme.example", [("Contact", "<sip:201@phone.1x>")], "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact whose host is no host", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "sip:201@203.0.113.5>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "a Contact with a short IPv4 form", "201@acme.example", nil, "sip:acme.example", [("Contact", "<sip:201@203.1>")],
                "SIP/2.0 403 Contact Not Allowed"
            ),
            (
                "removing a binding is always allowed", "201@acme.example", nil, "sip:acme.example",
                [("Contact", "<sip:201@gw.acme.example>;expires=0")], "SIP/2.0 200 OK"
            ),
        ] as [(String, String, String?, String, [(String, String)], String)])
    func authorisation(
        _ name: String, _ aor: String, _ from: String?, _ uri: String, _ headers: [(String, String)], _ status: String
    ) throws {
        let rig = try RegistrarRig()
        #expect(try rig.register(aor, from: from, uri: uri, headers: headers).statusLine == status, "\(name)")
    }

    @Test("outside the networks: 401 first, then the digest of the To user registers, another user's is 403")
    func digest() throws {
        let rig = try RegistrarRig()
        let challenge = try rig.register(source: "192.0.2.7", headers: [("Contact", "<sip:201@192.0.2.7:5062>")])
        #expect(challenge.statusLine == "SIP/2.0 401 Unauthorized")
        let offer = try #require(challenge.values("WWW-Authenticate").compactMap(Challenge.init).first)
        func authorization(nc: String) -> String {
            ClientDigest.sha256.authorization(
                user: "201", realm: offer.realm, password: SampleCredentials.acme201, method: "REGISTER", uri: "sip:acme.example",
                nonce: offer.nonce, nc: nc)
        }
        let registered = try rig.register(
            source: "192.0.2.7",
            headers: [("Contact", "<sip:201@192.0.2.7:5062>"), ("Authorization", authorization(nc: "00000001"))])
        #expect(registered.statusLine == "SIP/2.0 200 OK")
        #expect(registered.values("Contact") == ["<sip:201@192.0.2.7:5062>;expires=3600"])
        let other = try rig.register(
            "202@acme.example", source: "192.0.2.7",
            headers: [("Contact", "<sip:202@192.0.2.7:5062>"), ("Authorization", authorization(nc: "00000002"))])
        #expect(other.statusLine == "SIP/2.0 403 Credentials Of Another User")
    }

    @Test("calls to a registered extension go to its phones: highest q and newest first, then the conf's contact")
    func redirectsFollowBindings() throws {
        let rig = try RegistrarRig()
        // Host names: a NAT rewrite never applies to them, so the Contacts stay as registered.
        _ = try rig.register(headers: [("Contact", "<sip:201@desk.acme.example>;q=0.5")])
        rig.clock.advance(by: 1)
        _ = try rig.register(
            callID: "reg-2@phone", headers: [("Contact", "<sip:201@soft.acme.example>;q=0.5, <sip:201@mobile.acme.example>")])
        let expected = [
            "<sip:201@mobile.acme.example>;q=1", "<sip:201@soft.acme.example>;q=0.5", "<sip:201@desk.acme.example>;q=0.5",
            "<sip:201@10.1.0.21:5060>;q=0",
        ]
        // Acme's own 201 from its network, and Globex's access code 71 + 201.
        let own = try rig.invite("201", from: "202@acme.example", sequence: 1)
        #expect(own.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(own.values("Contact") == expected)
        #expect(try rig.invite("71201", from: "100@globex.example", sequence: 2).values("Contact") == expected)
        // Another extension, and Acme's trunk, are unchanged.
        #expect(try rig.invite("202", from: "201@acme.example", sequence: 3).values("Contact") == ["<sip:202@10.1.0.22:5060>"])
        #expect(
            try rig.invite("90041", from: "201@acme.example", sequence: 4).values("Contact") == ["<sip:0041@gw.acme.example>"])
        // Once every binding expired, the conf's contact alone, without q.
        rig.clock.advance(by: 3_600)
        #expect(try rig.invite("201", from: "202@acme.example", sequence: 5).values("Contact") == ["<sip:201@10.1.0.21:5060>"])
    }

    @Test("an extension for registered phones only: 480 without a binding, its phones alone with one, by number and by range")
    func registeredOnly() throws {
        let rig = try RegistrarRig()
        let unavailable = try rig.invite("203", from: "201@acme.example", sequence: 1)
        #expect(unavailable.statusLine == "SIP/2.0 480 Temporarily Unavailable")
        #expect(unavailable.values("Contact") == [])
        #expect(
            try rig.invite("71215", from: "100@globex.example", sequence: 2).statusLine
                == "SIP/2.0 480 Temporarily Unavailable")
        // The extension registers like any other (203 explicit, 215 inside the range 210-219).
        #expect(
            try rig.register("203@acme.example", headers: [("Contact", "<sip:203@soft.acme.example>")]).statusLine
                == "SIP/2.0 200 OK")
        #expect(
            try rig.register("215@acme.example", callID: "reg-215@desk", headers: [("Contact", "<sip:215@desk.acme.example>")])
                .statusLine == "SIP/2.0 200 OK")
        // One phone and no conf contact: a single Contact, without q.
        let one = try rig.invite("203", from: "201@acme.example", sequence: 3)
        #expect(one.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(one.values("Contact") == ["<sip:203@soft.acme.example>"])
        #expect(
            try rig.invite("71215", from: "100@globex.example", sequence: 4).values("Contact") == ["<sip:215@desk.acme.example>"])
        // Two phones: q on each, and still nothing from the conf after them.
        rig.clock.advance(by: 1)
        _ = try rig.register(
            "203@acme.example", callID: "reg-203b@mobile", headers: [("Contact", "<sip:203@mobile.acme.example>;q=0.8")])
        #expect(
            try rig.invite("203", from: "201@acme.example", sequence: 5).values("Contact") == [
                "<sip:203@soft.acme.example>;q=1", "<sip:203@mobile.acme.example>;q=0.8",
            ])
        // The other numbers of the range stay unavailable; once the bindings expire, so does 203.
        #expect(try rig.invite("216", from: "201@acme.example", sequence: 6).statusLine == "SIP/2.0 480 Temporarily Unavailable")
        rig.clock.advance(by: 3_600)
        #expect(try rig.invite("203", from: "201@acme.example", sequence: 7).statusLine == "SIP/2.0 480 Temporarily Unavailable")
    }

    @Test("with a wildcard listen address, only this machine's loopback counts as switchd, not the phones of the LAN")
    func wildcardListen() throws {
        let rig = try RegistrarRig(bound: [("0.0.0.0", 5060)])
        #expect(try rig.register(headers: [("Contact", "<sip:201@192.168.1.10>")]).statusLine == "SIP/2.0 200 OK")
        #expect(
            try rig.register(headers: [("Contact", "<sip:201@127.0.0.1:5060>")]).statusLine == "SIP/2.0 403 Contact Not Allowed")
        #expect(try rig.register(headers: [("Contact", "<sip:201@127.0.0.1:5070>")]).statusLine == "SIP/2.0 200 OK")
    }
}
