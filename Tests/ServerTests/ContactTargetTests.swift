// Where calls to a binding would go, checked as the Contact is: when the NAT rewrite replaces the
// Contact's host and port by the REGISTER's source, that source must be no trunk gateway and no address
// of switchd's own (a sender that spoofs its UDP source would otherwise store one), and switchd's own
// address is the one its socket is bound to, port 0 resolved.
import Foundation
import Registrar
import Server
import Testing

/// One REGISTER of 201@acme.example from `source`:`port` with one Contact, and its exact status line.
struct ContactTargetRow: Sendable, CustomTestStringConvertible {
    let name: String
    let source: String
    let port: UInt16
    let contact: String
    var natRewrite = true
    let statusLine: String

    var testDescription: String { name }
}

let contactNotAllowed = "SIP/2.0 403 Contact Not Allowed"

/// The rig: bound to 127.0.0.1:5060; Globex has a trunk on 10.1.0.99:5070, an address inside Acme's
/// networks (10.1.0.0/16), so a REGISTER from there is trusted for Acme.
let contactTargetRows: [ContactTargetRow] = [
    ContactTargetRow(
        name: "NAT rewrite to another customer's gateway", source: "10.1.0.99", port: 5070,
        contact: "sip:201@192.168.1.20:5060", statusLine: contactNotAllowed),
    ContactTargetRow(
        name: "NAT rewrite to a gateway's host on another port (gateways compare by host)", source: "10.1.0.99",
        port: 40_000, contact: "sip:201@192.168.1.20:5060", statusLine: contactNotAllowed),
    ContactTargetRow(
        name: "the Contact as written on that gateway", source: "127.0.0.1", port: 5062, contact: "sip:201@10.1.0.99:5070",
        statusLine: contactNotAllowed),
    ContactTargetRow(
        name: "NAT rewrite to switchd's bound address and port", source: "127.0.0.1", port: 5060,
        contact: "sip:201@192.0.2.50:5062", statusLine: contactNotAllowed),
    ContactTargetRow(
        name: "same address as written, only the port rewritten to switchd's", source: "127.0.0.1", port: 5060,
        contact: "sip:201@127.0.0.1:5062", statusLine: contactNotAllowed),
    ContactTargetRow(
        name: "NAT rewrite to switchd's address on another port", source: "127.0.0.1", port: 5062,
        contact: "sip:201@192.0.2.50:5062", statusLine: "SIP/2.0 200 OK"),
    ContactTargetRow(
        name: "NAT rewrite to an address of the customer's network", source: "10.1.0.98", port: 5060,
        contact: "sip:201@192.168.1.20:5060", statusLine: "SIP/2.0 200 OK"),
    ContactTargetRow(
        name: "a host name is never rewritten: the source is not where calls go", source: "10.1.0.99", port: 5070,
        contact: "sip:201@desk.acme.example", statusLine: "SIP/2.0 200 OK"),
    ContactTargetRow(
        name: "nat_rewrite = false: calls go to the Contact as written", source: "10.1.0.99", port: 5070,
        contact: "sip:201@192.168.1.20:5060", natRewrite: false, statusLine: "SIP/2.0 200 OK"),
    ContactTargetRow(
        name: "a removal from a gateway's address is allowed", source: "10.1.0.99", port: 5070,
        contact: "sip:201@192.168.1.20:5060;expires=0", statusLine: "SIP/2.0 200 OK"),
]

@Suite("Registrar: where a binding's calls go")
struct ContactTargetTests {
    /// The sample conf with Globex's trunk 8 on 10.1.0.99:5070.
    static func conf() throws -> TempConfDirectory {
        let conf = try TempConfDirectory.sample()
        let globex = try String(contentsOf: conf.url.appendingPathComponent("customers/globex.toml"), encoding: .utf8)
        try conf.write("customers/globex.toml", globex + "\n[trunks.\"8\"]\ngateway = \"sip:{number}@10.1.0.99:5070\"\n")
        return conf
    }

    @Test(arguments: contactTargetRows)
    func target(_ row: ContactTargetRow) throws {
        let conf = try Self.conf()
        var settings = RegistrarSettings()
        settings.natRewrite = row.natRewrite
        let rig = try RegistrarRig(conf: conf.path, settings: settings)
        let contact = row.contact.contains(";expires=") ? "<\(row.contact.prefix { $0 != ";" })>;expires=0" : "<\(row.contact)>"
        let reply = try rig.register(source: row.source, port: row.port, headers: [("Contact", contact)])
        #expect(reply.statusLine == row.statusLine)
        #expect(reply.value("Content-Length") == "0")
        let bindings = rig.location.lookup(AddressOfRecord(customerID: "acme", extensionNumber: "201"), now: rig.clock.now)
        if row.statusLine == contactNotAllowed {
            #expect(reply.values("Contact").isEmpty)
            #expect(bindings.isEmpty, "a refused REGISTER stores nothing")
        }
    }

    @Test("over UDP: a Contact on the port the socket was bound to (listen port 0) is switchd's own")
    func boundPort() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let cases: [(contact: String, statusLine: String)] = [
            ("<sip:201@127.0.0.1:\(server.port)>", contactNotAllowed),
            // Where the REGISTER came from: no rewrite, and not switchd.
            ("<sip:201@127.0.0.1:\(client.port)>", "SIP/2.0 200 OK"),
        ]
        for (index, row) in cases.enumerated() {
            var request = TestRequest(
                method: "REGISTER", uri: "sip:acme.example", from: "<sip:201@acme.example>;tag=r\(index)",
                branch: "z9hG4bK-bound-\(index)", client: client)
            request.to = "<sip:201@acme.example>"
            request.callID = "bound-port@test"
            request.cseq = "\(index + 1) REGISTER"
            request.extra = [("Contact", row.contact)]
            let reply = try #require(try server.exchange(request, from: client))
            #expect(reply.statusLine == row.statusLine, "\(row.contact)")
            if row.statusLine == contactNotAllowed {
                #expect(reply.values("Contact").isEmpty)
            } else {
                #expect(reply.values("Contact") == ["\(row.contact);expires=3600"])
            }
        }
    }
}
