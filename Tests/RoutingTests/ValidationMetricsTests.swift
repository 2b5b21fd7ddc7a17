// `[metrics] listen` in switchd.toml.
import Testing

@testable import Config
@testable import Routing

private let serverFile = "CONF/switchd.toml"

private func metricsCase(_ name: String, _ section: String, _ message: String) -> ValidationCase {
    ValidationCase(
        name, files: ["switchd.toml": section, "customers/acme.toml": validCustomer], ["\(serverFile): error: \(message)"])
}

@Suite("Validation: [metrics]")
struct ValidationMetricsTests {
    @Test(
        "wrong values are named with file and key",
        arguments: [
            metricsCase(
                "not a string", "[metrics]\nlisten = 9090\n",
                "metrics.listen must be a quoted \"HOST:PORT\", e.g. \"127.0.0.1:9090\", not an integer"),
            metricsCase(
                "no port", "[metrics]\nlisten = \"127.0.0.1\"\n",
                "metrics.listen: \"127.0.0.1\" must end with a port number 1-65535, e.g. \"127.0.0.1:9090\""),
            metricsCase(
                "port 0", "[metrics]\nlisten = \"127.0.0.1:0\"\n",
                "metrics.listen: \"127.0.0.1:0\" must end with a port number 1-65535, e.g. \"127.0.0.1:9090\""),
            metricsCase(
                "a host name", "[metrics]\nlisten = \"localhost:9090\"\n",
                "metrics.listen: \"localhost:9090\" must name an IPv4 address or a bracketed IPv6 address, e.g. \"127.0.0.1:9090\" or \"[::1]:9090\""
            ),
            metricsCase(
                "IPv6 without brackets", "[metrics]\nlisten = \"::1:9090\"\n",
                "metrics.listen: \"::1:9090\" must name an IPv4 address or a bracketed IPv6 address, e.g. \"127.0.0.1:9090\" or \"[::1]:9090\""
            ),
            metricsCase(
                "a transport prefix", "[metrics]\nlisten = \"tcp:127.0.0.1:9090\"\n",
                "metrics.listen: \"tcp:127.0.0.1:9090\" must name an IPv4 address or a bracketed IPv6 address, e.g. \"127.0.0.1:9090\" or \"[::1]:9090\""
            ),
            metricsCase(
                "an empty section", "[metrics]\n", "missing required key metrics.listen (\"127.0.0.1:9090\")"),
            metricsCase(
                "misspelt key", "[metrics]\nlisten = \"127.0.0.1:9090\"\nlissen = 1\n",
                "unknown key metrics.lissen; did you mean metrics.listen?"),
            metricsCase(
                "not a table", "metrics = \"127.0.0.1:9090\"\n",
                "metrics must be a table with listen = \"HOST:PORT\", not a string"),
        ])
    func invalid(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test("an address is kept; absent, there is no HTTP listener")
    func valid() throws {
        let cases = [("127.0.0.1:9090", "127.0.0.1:9090"), ("[::1]:9100", "[::1]:9100"), ("0.0.0.0:80", "0.0.0.0:80")]
        for (text, expected) in cases {
            let address = try TempConf.with([
                "switchd.toml": "[metrics]\nlisten = \"\(text)\"\n", "customers/acme.toml": validCustomer,
            ]) { try $0.load().get().server.metrics }
            #expect(address?.description == expected)
        }
        let without = try TempConf.with(["customers/acme.toml": validCustomer]) { try $0.load().get().server.metrics }
        #expect(without == nil)
    }
}
