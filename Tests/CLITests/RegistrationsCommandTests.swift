// `switchd registrations` and `switchd route` read the daemon's registrar store: what a phone
// registered is listed, and a call to its extension is redirected to it.
import Foundation
import Registrar
import Testing

@Suite("switchd registrations")
struct RegistrationsCommandTests {
    /// The CLI conf with an SQLite store at `var/bindings.sqlite` holding one binding of acme's 201.
    static func withRegisteredPhone<T>(_ body: (String, Double) throws -> T) throws -> T {
        var files = cliConf
        files["switchd.toml"] = "[registrar]\nstore = \"sqlite:var/bindings.sqlite\"\n"
        return try withConf(files) { conf in
            try FileManager.default.createDirectory(atPath: "\(conf)/var", withIntermediateDirectories: true)
            let store = try SQLiteBindingStore(path: "\(conf)/var/bindings.sqlite")
            let now = Date().timeIntervalSince1970
            let binding = Binding(
                aor: AddressOfRecord(customerID: "acme", extensionNumber: "201"), contact: "sip:201@desk.acme.example",
                target: "sip:201@desk.acme.example", callID: "c1", cseq: 1, expiresAt: now + 600, q: nil,
                source: "192.0.2.7:5062", transport: "UDP", userAgent: "desk phone", updatedAt: now)
            try store.write([.upsert(binding)])
            try store.close()
            return try body(conf, now)
        }
    }

    @Test("lists the live bindings, filtered by customer, as text and JSON")
    func lists() throws {
        try Self.withRegisteredPhone { conf, _ in
            let text = try Switchd.run(["registrations", "--conf", conf])
            #expect(text.status == 0, "\(text)")
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("201@acme\tsip:201@desk.acme.example\tfrom 192.0.2.7:5062 UDP\texpires ") == true)
            #expect(lines.first?.hasSuffix(" s\tdesk phone") == true)
            #expect(lines.last == "1 binding")
            let other = try Switchd.run(["registrations", "--conf", conf, "--customer", "globex"])
            #expect(other.stdout == "0 bindings\n")
            let json = try Switchd.run(["registrations", "--conf", conf, "--json"])
            #expect(json.stdout.hasPrefix(#"{"aor":"201@acme","contact":"sip:201@desk.acme.example","target":"sip:201@desk.acme.example","source":"192.0.2.7:5062","transport":"UDP","user_agent":"desk phone","expires":"#))
        }
    }

    @Test("switchd route sends a call to the registered phone, then the conf's contact")
    func routeUsesTheStore() throws {
        try Self.withRegisteredPhone { conf, _ in
            let result = try Switchd.run(["route", "--conf", conf, "--from", "sip:100@globex.example", "--authenticated", "71201"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "302 <sip:201@desk.acme.example>;q=1, <sip:201@10.1.0.21:5060>;q=0\naccess code 71 is Acme Corp; 201 is Acme Corp's extension; 1 registered phone first\n")
        }
    }
}
