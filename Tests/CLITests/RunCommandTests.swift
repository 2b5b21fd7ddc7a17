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

    @Test(
        "--metrics-listen that is no HOST:PORT: exit 1 and why on stderr",
        arguments: [
            ("9090", "--metrics-listen 9090 must end with a port number 1-65535, e.g. \"127.0.0.1:9090\""),
            ("localhost:9090", "--metrics-listen localhost:9090 must name an IPv4 address or a bracketed IPv6 address"),
        ])
    func metricsListenRefused(_ value: String, _ message: String) throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["run", "--conf", conf, "--listen", "udp:127.0.0.1:5999", "--metrics-listen", value])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result)")
        }
    }
}
