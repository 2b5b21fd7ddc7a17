// `switchd run` arguments that are refused before anything listens.
import Testing

@Suite struct RunCommandTests {
    @Test("--workers outside 1-64: exit 1 and the range on stderr", arguments: ["0", "65"])
    func workersOutOfRange(_ workers: String) throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["run", "--conf", conf, "--listen", "udp:127.0.0.1:5999", "--workers", workers])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("Error: --workers must be between 1 and 64, not \(workers)\n"), "\(result)")
        }
    }
}
