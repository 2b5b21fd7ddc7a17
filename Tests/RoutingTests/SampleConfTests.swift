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

}
