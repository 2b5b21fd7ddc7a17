import Addressing
// A reload given a file of each class that used to crash the loader (and so kill the daemon on
// SIGHUP): it fails, and the plan that served before keeps serving.
import Foundation
import Routing
import Testing

@Suite("Reload: crashing-class files keep the old plan")
struct ReloadRobustnessTests {
    static let crashing: [(name: String, path: String, contents: String)] = [
        (
            "a grouped customer's access code \"7a\"", "customers/acme.toml",
            acmeFile(contact201: "sip:201@new.example", extra: "group = \"harbor\"\naccess_code = \"7a\"")
        ),
        ("a header starting with #", "customers/acme.toml", "[#\n"),
        ("[ alone on a line", "switchd.toml", "[\n"),
        (
            "a NUL in an extension key", "customers/acme.toml",
            acmeFile(contact201: "sip:201@new.example") + "\n\"2\\u0000\" = \"sip:2@x\"\n"
        ),
        (
            "a NUL in a network", "customers/acme.toml",
            acmeFile(contact201: "sip:201@new.example").replacingOccurrences(
                of: "\"127.0.0.1/32\"", with: "\"127.0.0.1/32\\u0000junk\"")
        ),
        ("100,000 dotted key parts", "customers/acme.toml", String(repeating: "a.", count: 100_000) + "a = 1\n"),
        ("} inside an array", "customers/acme.toml", acmeFile(contact201: "sip:201@new.example", extra: "networks2 = [}]")),
        ("auth_failures = Int.max", "switchd.toml", "[limits]\nauth_failures = 9223372036854775807\n"),
        ("max_tracked_addresses = Int.max", "switchd.toml", "[limits]\nmax_tracked_addresses = 9223372036854775807\n"),
        (
            "a 6 MB file", "customers/acme.toml",
            acmeFile(contact201: "sip:201@new.example") + "\n#" + String(repeating: "x", count: 6 * 1024 * 1024)
        ),
    ]

    @Test("each fails to reload and the old plan keeps answering", arguments: 0..<ReloadRobustnessTests.crashing.count)
    func keepsThePlan(_ index: Int) throws {
        let (_, path, contents) = Self.crashing[index]
        let conf = try TempConfDirectory(files: [
            "groups/harbor.toml": "name = \"Harbor\"\n",
            "customers/acme.toml": acmeFile(contact201: "sip:201@old.acme.example"),
        ])
        let server = try TestServer(conf: conf)
        let before = server.server.currentPlan
        try conf.write(path, contents)
        #expect(server.server.reload() == false)
        #expect(server.server.currentPlan === before)
        let client = try UDPClient()
        let request = TestRequest(
            uri: "sip:201@127.0.0.1", from: "<sip:100@acme.example>;tag=r", branch: "z9hG4bK-robust-\(index)", client: client)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == moved)
        #expect(reply.value("Contact") == "<sip:201@old.acme.example>")
    }
}
