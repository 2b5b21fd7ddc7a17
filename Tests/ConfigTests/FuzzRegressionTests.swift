// Replays the config fuzzer's seeds (fuzz/config-seeds) and every input it ever found a problem with
// (fuzz/config-regressions) through the loader, decoded as Sources/ConfigFuzz decodes them.
import Foundation
import Testing

@testable import Config
@testable import Routing

@Suite("Config fuzz regressions")
struct ConfigFuzzRegressionTests {
    /// Paths relative to the repository root, e.g. "fuzz/config-regressions/header-hash-toml-assert.conf".
    static let inputs: [String] = ["fuzz/config-seeds", "fuzz/config-regressions"].flatMap { folder -> [String] in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test("seeds and regressions are present")
    func present() {
        #expect(Self.inputs.contains { $0.hasPrefix("fuzz/config-seeds/") })
        #expect(Self.inputs.contains { $0.hasPrefix("fuzz/config-regressions/") })
    }

    @Test("loads without a crash, with a configuration or well-formed diagnostics", arguments: ConfigFuzzRegressionTests.inputs)
    func replay(_ path: String) throws {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent(path)))
        let source = InMemorySource(fuzzInput: bytes)
        let (_, problems) = load(Variant(path, files: source.files, folders: source.folders))
        #expect(problems == [])
    }

    @Test("the sample seed loads, and the seeds decode into the fuzz layout")
    func sampleSeed() throws {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("fuzz/config-seeds/sample.conf")))
        let source = InMemorySource(fuzzInput: bytes)
        #expect(source.files.keys.sorted() == InMemorySource.fuzzLayout.sorted())
        #expect(throws: Never.self) { try ConfigLoader.load(source) }
        #expect(
            InMemorySource(fuzzInput: InMemorySource.fuzzInput(["customers/acme.toml": "x"])).files == [
                "customers/acme.toml": Array("x".utf8)
            ])
    }
}
