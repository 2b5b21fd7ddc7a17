import Addressing
// The shipped conf/ is the admin's reference: it must load cleanly and route as its comments say.
import Foundation
import Testing

@testable import Config
@testable import Routing

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
        // acme: 100-199 (150 overrides inside it), 201, 202, *97, 203 and 210-219 (registered phones
        // only); globex: 100-299, 300;
        // initech: 4000-4099; umbrella: 10, 11-19. Trunks: acme 9, globex 9, initech 0, umbrella 8.
        // numbering.toml: emergency 911; classes local, international, national, premium, tollfree.
        #expect(
            configuration.plan.summary.description
                == "4 customers, 1 group, 425 extensions, 4 trunks, 1 emergency number, 5 call classes")
        #expect(
            configuration.server.listen.map(\.description) == ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "tls:127.0.0.1:5061"])
    }

    @Test(
        "\"registered\" extensions have no contact: their phones, else 480 (the registrar adds the phones)",
        arguments: [
            ("acme.example", "203", "480 - 203 is an extension of Acme Corp"),
            ("acme.example", "210", "480 - 210 is in Acme Corp's extension range 210-219"),
            ("acme.example", "7121", "484 - 7121 is the start of a longer number Acme Corp can dial"),
            ("globex.example", "71219", "480 - access code 71 is Acme Corp; 219 is Acme Corp's extension (range 210-219)"),
            ("globex.example", "71203", "480 - access code 71 is Acme Corp; 203 is Acme Corp's extension"),
            ("acme.example", "220", "404 - 220 is no extension, trunk or group access code Acme Corp can dial"),
        ])
    func registeredOnly(_ from: String, _ dialled: String, _ expected: String) throws {
        let plan = try ConfigLoader.load(directory: sampleConfDirectory).plan
        let decision = plan.dial(dialled, fromHost: from)
        #expect(summary(decision) == expected)
        if decision.outcome == .registeredOnly {
            #expect(decision.reachedExtension?.customerID == "acme")
            #expect(decision.reachedExtension?.number == String(dialled.suffix(3)))
        }
    }
}
