// `[server] workers`: how many threads drain each listen socket.
import Testing

@testable import Config
@testable import Routing

@Suite("switchd.toml: [server] workers")
struct ServerWorkersTests {
    @Test("absent: one worker; present: that many")
    func parsed() throws {
        try TempConf.with(["customers/acme.toml": validCustomer, "switchd.toml": "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n"])
        { conf in
            let workers = try conf.load().get().server.workers
            #expect(workers == 1)
        }
        try TempConf.with(["customers/acme.toml": validCustomer, "switchd.toml": "[server]\nworkers = 4\n"]) { conf in
            let workers = try conf.load().get().server.workers
            #expect(workers == 4)
        }
    }

    @Test(
        "out of range or not an integer: an error naming file and key",
        arguments: [
            ("workers = 0", "CONF/switchd.toml: error: server.workers must be between 1 and 64, not 0"),
            ("workers = 65", "CONF/switchd.toml: error: server.workers must be between 1 and 64, not 65"),
            ("workers = \"2\"", "CONF/switchd.toml: error: server.workers must be a number of threads, e.g. 1, not a string"),
            ("wrokers = 2", "CONF/switchd.toml: error: unknown key server.wrokers; did you mean server.workers?"),
        ])
    func rejected(line: String, message: String) throws {
        let actual = try diagnostics(of: ["customers/acme.toml": validCustomer, "switchd.toml": "[server]\n\(line)\n"])
        #expect(actual == [message])
    }
}
