import Config
import Foundation
import Logging
import Routing
import Server
import Testing

/// Replays the fuzzer's seeds (fuzz/seeds) and every input it ever crashed on (fuzz/regressions)
/// through `RequestHandler.handle`, set up as Sources/SwitchdFuzz sets it up: the sample conf, a
/// trusted (127.0.0.1) and an untrusted (192.0.2.1) source, a fixed clock and nonce secret (the digest
/// seeds carry a nonce valid only under them), limits that never drop, and logging at trace level.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Paths relative to the repository root, e.g. "fuzz/regressions/via-overflow.bin".
    static let inputs: [String] = ["fuzz/seeds", "fuzz/regressions"].flatMap { folder -> [String] in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    static let handler: RequestHandler = {
        let configuration = try! ConfigLoader.load(directory: root.appendingPathComponent("conf").path)
        // The fuzz target's limits: LimitSettings.unlimited.
        let limits = LimitSettings.unlimited
        return RequestHandler(
            plans: PlanStore(configuration.plan), counters: Counters(),
            logger: Logger(label: "fuzz-regression", factory: { _ in DiscardingLogHandler() }), limits: limits,
            nonceSecret: [UInt8](repeating: 0x5A, count: 32), clock: { 1_800_000_000 })
    }()

    static let sources = [SocketAddress(host: "127.0.0.1", port: 5060)!, SocketAddress(host: "192.0.2.1", port: 5060)!]

    @Test("the seed corpus is present")
    func seedsExist() {
        #expect(Self.inputs.contains { $0.hasPrefix("fuzz/seeds/") })
    }

    @Test("replays without a crash and answers with at most one well-formed response", arguments: FuzzRegressionTests.inputs)
    func replay(_ path: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent(path)))
        for source in Self.sources {
            // `handle` returns at most one reply by its type; a crash would end the test process.
            guard let reply = Self.handler.handle(bytes, from: source) else { continue }
            #expect(reply.bytes.starts(with: Array("SIP/2.0 ".utf8)), "\(path) from \(source): not a status line")
            #expect(reply.bytes.count <= 65_507, "\(path) from \(source): \(reply.bytes.count) bytes do not fit a UDP datagram")
            let headEnd = reply.bytes.indices.dropLast(3).first { reply.bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }
            #expect(headEnd != nil, "\(path) from \(source): no empty line ends the header")
        }
    }
}

/// Discards every record, at trace level, so the handler's log statements still run.
private struct DiscardingLogHandler: LogHandler {
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {}
}
