// switchd.toml: tcp: and tls: listen addresses, [tls], and the connection limits of [limits].
import Testing

@testable import Config
@testable import Routing

private func load(_ switchd: String) throws -> Result<Configuration, ConfigError> {
    try TempConf.with(["customers/acme.toml": validCustomer, "switchd.toml": switchd]) { $0.load() }
}

@Suite("switchd.toml: transports, [tls], connection limits")
struct ServerTransportsTests {
    @Test("udp:, tcp: and tls: addresses, IPv6 in brackets, with [tls]")
    func transports() throws {
        let configuration = try load(
            """
            [server]
            listen = ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "TLS:[::1]:5061"]
            [tls]
            certificate = "tls/cert.pem"
            private_key = "/etc/switchd/key.pem"
            """
        ).get()
        #expect(configuration.server.listen.map(\.description) == ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "tls:[::1]:5061"])
        #expect(configuration.server.tls == TLSSettings(certificate: "tls/cert.pem", privateKey: "/etc/switchd/key.pem"))
    }

    @Test("the connection limits and their defaults")
    func limits() throws {
        let defaults = try load("").get().server.limits.streams
        #expect(defaults == StreamLimits())
        #expect(
            [defaults.maxConnections, defaults.maxConnectionsPerAddress, defaults.maxMessageBytes] == [10_000, 64, 65_535])
        #expect([defaults.messageTimeout, defaults.idleTimeout] == [10, 300])
        let set = try load(
            """
            [limits]
            max_connections = 500
            max_connections_per_address = 8
            message_timeout = 2.5
            idle_timeout = 90
            max_message_size = 16000
            """
        ).get().server.limits.streams
        #expect([set.maxConnections, set.maxConnectionsPerAddress, set.maxMessageBytes] == [500, 8, 16_000])
        #expect([set.messageTimeout, set.idleTimeout] == [2.5, 90])
    }

    @Test(
        "what is refused, naming file and key",
        arguments: [
            (
                "[server]\nlisten = [\"tls:127.0.0.1:5061\"]\n",
                "CONF/switchd.toml: error: server.listen: \"tls:127.0.0.1:5061\" needs [tls] certificate = \"PATH\" and private_key = \"PATH\" (PEM files)"
            ),
            (
                "[server]\nlisten = [\"ws:127.0.0.1:80\"]\n",
                "CONF/switchd.toml: error: server.listen: \"ws:127.0.0.1:80\" must start with udp:, tcp: or tls:, e.g. \"udp:127.0.0.1:5060\" or \"tls:127.0.0.1:5061\""
            ),
            (
                "[tls]\ncertificate = \"cert.pem\"\n",
                "CONF/switchd.toml: error: tls.private_key is required: the path of a PEM file, e.g. private_key = \"tls/key.pem\""
            ),
            (
                "[tls]\ncertificate = 5\nprivate_key = \"k.pem\"\n",
                "CONF/switchd.toml: error: tls.certificate must be a quoted file path, not an integer"
            ),
            (
                "[tls]\ncertificate = \"c.pem\"\nprivate_key = \"k.pem\"\nchain = \"x\"\n",
                "CONF/switchd.toml: error: unknown key tls.chain (known keys: certificate, private_key)"
            ),
            (
                "[limits]\nmax_message_size = 100\n",
                "CONF/switchd.toml: error: limits.max_message_size must be an integer from 1500 to 65535 bytes, e.g. max_message_size = 65535"
            ),
            (
                "[limits]\nmax_connections = 0\n",
                "CONF/switchd.toml: error: limits.max_connections must be an integer from 1 to 1000000, e.g. max_connections = 10000"
            ),
            (
                "[limits]\nidle_timeout = \"5m\"\n",
                "CONF/switchd.toml: error: limits.idle_timeout must be a positive number up to 31536000, e.g. idle_timeout = 300"
            ),
        ])
    func refused(_ switchd: String, _ expected: String) throws {
        #expect(try diagnostics(of: ["customers/acme.toml": validCustomer, "switchd.toml": switchd]) == [expected])
    }
}
