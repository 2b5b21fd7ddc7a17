import Foundation
import Routing
import Testing
import Addressing

func acmeFile(contact201: String, extra: String = "") -> String {
    """
    name = "Acme Corp"
    cm = 3
    domains = ["acme.example"]
    networks = ["127.0.0.1/32"]
    \(extra)
    [extensions]
    "201" = "\(contact201)"
    "100-199" = "sip:{ext}@pbx.acme.example"
    """
}

let globexFile = """
    name = "Globex"
    cm = 3
    domains = ["globex.example"]
    networks = ["127.0.0.1/32"]

    [extensions]
    "300" = "sip:conference@media.globex.example"
    """

@Suite("Reload")
struct ReloadTests {
    /// The status line and Contact an INVITE from `fromHost` to `number` gets right now.
    func call(_ server: TestServer, _ number: String, from fromHost: String = "acme.example", branch: String)
        throws -> (String, String?)
    {
        let client = try UDPClient()
        let request = TestRequest(uri: "sip:\(number)@127.0.0.1", from: "<sip:100@\(fromHost)>;tag=r", branch: branch, client: client)
        let reply = try #require(try server.exchange(request, from: client))
        return (reply.statusLine, reply.value("Contact"))
    }

    @Test func goodReloadServesTheNewPlanAndBadReloadKeepsIt() throws {
        let conf = try TempConfDirectory(files: [
            "switchd.toml": "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n",
            "customers/acme.toml": acmeFile(contact201: "sip:201@old.acme.example"),
        ])
        let server = try TestServer(conf: conf)
        #expect(try call(server, "201", branch: "z9hG4bK-1") == (moved, "<sip:201@old.acme.example>"))
        #expect(try call(server, "300", from: "globex.example", branch: "z9hG4bK-2") == (unauthorized, nil))

        // A changed contact and a new customer: served after a successful reload.
        try conf.write("customers/acme.toml", acmeFile(contact201: "sip:201@new.acme.example"))
        try conf.write("customers/globex.toml", globexFile)
        // Not before: the running plan is only replaced by reload().
        #expect(try call(server, "201", branch: "z9hG4bK-3") == (moved, "<sip:201@old.acme.example>"))
        #expect(server.server.reload() == true)
        #expect(try call(server, "201", branch: "z9hG4bK-4") == (moved, "<sip:201@new.acme.example>"))
        #expect(try call(server, "300", from: "globex.example", branch: "z9hG4bK-5") == (moved, "<sip:conference@media.globex.example>"))
        let acme = try #require(server.server.currentPlan.caller(fromHost: "acme.example"))
        #expect(server.server.currentPlan.dial("201", as: acme).contact == "sip:201@new.acme.example")

        // A TOML syntax error: reload fails, the previous plan keeps serving.
        try conf.write("customers/acme.toml", acmeFile(contact201: "sip:201@broken.acme.example") + "\n\"202\" = \"sip:202@x\n")
        #expect(server.server.reload() == false)
        #expect(try call(server, "201", branch: "z9hG4bK-6") == (moved, "<sip:201@new.acme.example>"))
        #expect(try call(server, "300", from: "globex.example", branch: "z9hG4bK-7") == (moved, "<sip:conference@media.globex.example>"))

        // A file that parses but does not validate: same.
        try conf.write("customers/acme.toml", acmeFile(contact201: "sip:201@invalid.acme.example", extra: "cm = 0"))
        #expect(server.server.reload() == false)
        #expect(try call(server, "201", branch: "z9hG4bK-8") == (moved, "<sip:201@new.acme.example>"))

        // A conflict across files (two customers claim one domain): same.
        try conf.write("customers/acme.toml", acmeFile(contact201: "sip:201@conflict.acme.example"))
        try conf.write("customers/globex.toml", globexFile.replacingOccurrences(of: "[\"globex.example\"]", with: "[\"acme.example\"]"))
        #expect(server.server.reload() == false)
        #expect(try call(server, "201", branch: "z9hG4bK-9") == (moved, "<sip:201@new.acme.example>"))

        // Fixed again: the newest good configuration serves.
        try conf.write("customers/globex.toml", globexFile)
        try conf.write("customers/acme.toml", acmeFile(contact201: "sip:201@fixed.acme.example"))
        #expect(server.server.reload() == true)
        #expect(try call(server, "201", branch: "z9hG4bK-10") == (moved, "<sip:201@fixed.acme.example>"))
    }

    /// A customer removed by a reload is no longer known: its callers are challenged (401), like any
    /// caller of an unknown domain.
    @Test func removedCustomerIsRefusedAfterReload() throws {
        let conf = try TempConfDirectory(files: [
            "customers/acme.toml": acmeFile(contact201: "sip:201@acme.example"),
            "customers/globex.toml": globexFile,
        ])
        let server = try TestServer(conf: conf)
        #expect(try call(server, "300", from: "globex.example", branch: "z9hG4bK-a") == (moved, "<sip:conference@media.globex.example>"))
        try FileManager.default.removeItem(atPath: conf.path + "/customers/globex.toml")
        #expect(server.server.reload() == true)
        #expect(try call(server, "300", from: "globex.example", branch: "z9hG4bK-b") == (unauthorized, nil))
        #expect(try call(server, "201", branch: "z9hG4bK-c") == (moved, "<sip:201@acme.example>"))
    }

    /// `networks` and `[credentials]` belong to the dial plan: a reload applies them to the next request.
    @Test func reloadAppliesNetworksAndCredentials() throws {
        let conf = try TempConfDirectory(files: ["customers/acme.toml": acmeFile(contact201: "sip:201@acme.example")])
        let server = try TestServer(conf: conf)
        let phone = try Phone(server)  // 127.0.0.2
        let challenge = try phone.challenge(dial: "120", algorithm: .sha256)
        let authorization = ClientDigest.sha256.authorization(
            user: "201", realm: challenge.realm, password: "reload-secret", method: "INVITE", uri: "sip:120@127.0.0.1",
            nonce: challenge.nonce)
        // No credentials yet: refused.
        #expect(try phone.send(dial: "120", authorization: [authorization])?.statusLine == unauthorized)

        let ha1 = ClientDigest.sha256.hex("201:acme.example:reload-secret")
        let withCredentials = acmeFile(contact201: "sip:201@acme.example") + "\n\n[credentials]\n\"201\" = { sha256 = \"\(ha1)\" }\n"
        try conf.write("customers/acme.toml", withCredentials)
        #expect(server.server.reload())
        #expect(try phone.send(dial: "120", authorization: [authorization])?.value("Contact") == "<sip:120@pbx.acme.example>")

        // 127.0.0.1 taken out of the networks: its calls are challenged from the next request on.
        let trusted = try Phone(server, host: "127.0.0.1")
        #expect(try trusted.send(dial: "120")?.statusLine == moved)
        try conf.write("customers/acme.toml", withCredentials.replacingOccurrences(
            of: "networks = [\"127.0.0.1/32\"]", with: "networks = [\"10.1.0.0/16\"]"))
        #expect(server.server.reload())
        let reply = try #require(try trusted.send(dial: "120"))
        #expect(reply.statusLine == unauthorized)
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
    }

    /// A directory that has vanished: reload fails and the old plan keeps serving.
    @Test func missingDirectoryKeepsThePlan() throws {
        let conf = try TempConfDirectory(files: ["customers/acme.toml": acmeFile(contact201: "sip:201@kept.example")])
        let server = try TestServer(conf: conf)
        try FileManager.default.removeItem(atPath: conf.path + "/customers")
        #expect(server.server.reload() == false)
        #expect(try call(server, "201", branch: "z9hG4bK-x") == (moved, "<sip:201@kept.example>"))
    }

    /// Reloads while calls are being answered: every answer is from the old or the new plan, none lost.
    @Test func reloadUnderTraffic() throws {
        let conf = try TempConfDirectory(files: ["customers/acme.toml": acmeFile(contact201: "sip:201@one.example")])
        let server = try TestServer(conf: conf)
        let client = try UDPClient()
        var contacts: [String] = []
        for round in 0..<40 {
            if round % 10 == 5 {
                try conf.write("customers/acme.toml", acmeFile(contact201: round % 20 == 5 ? "sip:201@two.example" : "sip:201@one.example"))
                #expect(server.server.reload())
            }
            let request = TestRequest(uri: "sip:201@127.0.0.1", branch: "z9hG4bK-traffic-\(round)", client: client)
            try server.send(request, from: client)
        }
        while contacts.count < 40, let datagram = client.receive() {
            contacts.append(SIPReply(datagram.bytes)?.value("Contact") ?? "none")
        }
        #expect(contacts.count == 40)
        #expect(Set(contacts).isSubset(of: ["<sip:201@one.example>", "<sip:201@two.example>"]))
    }
}
