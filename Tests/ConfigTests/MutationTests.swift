// The sample conf mutated systematically, every variant loaded in-process: whatever a file holds,
// `ConfigLoader.load` must come back, with a configuration or with diagnostics in the one format the
// admins' editors read. A crash (a trap, a stack overflow, an abort inside toml++) kills this test
// process, which is the point: there is no other way for a variant to fail but an exact one.
import Foundation
import Testing

@testable import Config
@testable import Routing

@Suite("Config mutations")
struct MutationTests {
    @Test("the sample conf loads, so that every variant differs from a valid directory by one change")
    func sampleLoads() throws {
        #expect(sampleFiles.count == 7)
        let (outcome, problems) = load(Variant("sample", texts: sampleFiles))
        #expect(outcome == .loaded)
        #expect(problems == [])
    }

    @Test("every key x every wrong value, removed, repeated, renamed; every file damaged; the directory rearranged")
    func everyVariant() throws {
        let variants = Mutations.all(of: sampleFiles)
        var valid = 0
        var reported = 0
        var malformed: [String] = []
        let start = Date()
        for variant in variants {
            let (outcome, problems) = load(variant)
            switch outcome {
            case .loaded: valid += 1
            case .reported: reported += 1
            }
            malformed += problems.map { "\(variant.name): \($0)" }
        }
        let seconds = Date().timeIntervalSince(start)
        // The note on the issue quotes this line.
        print(
            "config mutations: \(variants.count) variants, \(valid) valid, \(reported) reported, 0 crashes (\(String(format: "%.1f", seconds)) s)"
        )
        #expect(malformed.prefix(20).map { $0 } == [], "\(malformed.count) malformed outcomes")
        #expect(valid + reported == variants.count)
        // Sanity: the mutations reach both outcomes, and the variants are as many as the keys promise.
        #expect(valid > 100)
        #expect(reported > valid)
        #expect(variants.count > 4_000)
    }

    @Test("the mutations reach every key of every file, nested tables and inline tables included")
    func coverage() {
        let names = Set(Mutations.all(of: sampleFiles).map(\.name))
        for expected in [
            "switchd.toml: server.listen = integer", "switchd.toml: server.workers = 5,000 characters",
            "switchd.toml: limits.max_tracked_addresses = Int.max", "switchd.toml: limits.ban_seconds = inf",
            "switchd.toml: auth.nonce_lifetime = NUL escape", "switchd.toml: header [limits] repeated",
            "groups/harbor.toml: name removed", "customers/acme.toml: access_code = letters for digits",
            "customers/acme.toml: access_code = newline", "customers/acme.toml: networks[0] = NUL inside",
            "customers/acme.toml: extensions.\"201\" renamed to NUL", "customers/acme.toml: trunks.\"9\".gateway = http URI",
            "customers/acme.toml: credentials.\"201\".sha256 = control characters",
            "customers/globex.toml: credentials.\"300\".sha256 repeated",
            "customers/umbrella.toml: extensions.\"11-19\" renamed to whole range",
            "customers/initech.toml: 100,000 dotted key parts",
            "customers/acme.toml: a directory in its place", "customers/ missing", "a file where customers/ should be",
            "numbering.toml: emergency.numbers = integer", "numbering.toml: classes.premium renamed to NUL",
            "customers/acme.toml: trunks.\"9\".e164 = string", "customers/acme.toml: outbound.\"201\".allow removed",
        ] {
            #expect(names.contains(expected), "no variant \(expected)")
        }
    }
}
