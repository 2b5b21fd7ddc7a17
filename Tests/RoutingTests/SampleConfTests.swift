// The shipped conf/ is the admin's reference: it must load cleanly and route as its comments say.
import Foundation
import Testing
@testable import Config
@testable import Routing
import Addressing

/// The package's conf/ directory, found from this file's path (Tests/RoutingTests/SampleConfTests.swift).
let sampleConfDirectory: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("conf").path

@Suite("The sample configuration")
struct SampleConfTests {
    @Test("conf/ loads without a diagnostic, with its summary")
    func loadsCleanly() throws {
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(directory: sampleConfDirectory)
        } catch {
            Issue.record("conf/ must load cleanly:\n\(error)")
            return
        }
        // acme: 100-199 (150 overrides inside it), 201, 202, *97; globex: 100-299, 300;
        // initech: 4000-4099; umbrella: 10, 11-19. Trunks: acme 9 and 00, globex 9, initech 0, umbrella 8.
        #expect(configuration.plan.summary.description == "4 customers, 1 group, 414 extensions, 5 trunks")
        #expect(configuration.server.listen.map(\.description) == ["udp:127.0.0.1:5060"])
    }

    @Test("conf/ routes as its comments describe", arguments: [
        ("acme.example", "127.0.0.1", "72100", "302 sip:100@pbx.globex.example access code 72 is Globex; 100 is Globex's extension (range 100-299)"),
        ("acme.example", "10.1.2.3", "150", "302 sip:ceo@10.1.0.50:5060 150 is an extension of Acme Corp"),
        ("globex.example", "127.0.0.1", "71201", "302 sip:201@10.1.0.21:5060 access code 71 is Acme Corp; 201 is Acme Corp's extension"),
        ("globex.example", "10.2.0.9", "719123", "403 - access code 71 is Acme Corp; 9 is Acme Corp's trunk"),
        ("acme.example", "192.0.2.1", "201", "401 - 192.0.2.1 is outside Acme Corp's networks and the request carries no valid credentials of Acme Corp"),
        ("globex.example", nil, "71201", "401 - no source address was given and the request carries no valid credentials of Globex"),
        ("initech.example", "127.0.0.1", "72100", "404 - 72100 is no extension, trunk or group access code Initech can dial"),
        ("umbrella.example", "2001:db8:5::7", "4000", "404 - 4000 is no extension, trunk or group access code Umbrella can dial"),
    ] as [(String, String?, String, String)])
    func routes(_ from: String, _ source: String?, _ dialled: String, _ expected: String) throws {
        let plan = try ConfigLoader.load(directory: sampleConfDirectory).plan
        let decision = plan.route(CallRequest(fromHost: from, source: source.flatMap(IPAddress.init), dialled: dialled))
        #expect(summary(decision) == expected)
    }
}
