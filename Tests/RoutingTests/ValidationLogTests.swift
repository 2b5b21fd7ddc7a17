// `[log] decisions` in switchd.toml.
import Testing

@testable import Config
@testable import Routing

private let serverFile = "CONF/switchd.toml"

@Suite("Validation: [log]")
struct ValidationLogTests {
    @Test(
        "wrong values are named with file and key",
        arguments: [
            ValidationCase(
                "not a string", files: ["switchd.toml": "[log]\ndecisions = 5\n", "customers/acme.toml": validCustomer],
                ["\(serverFile): error: log.decisions must be a quoted file path, e.g. \"var/decisions.log\", not an integer"]),
            ValidationCase(
                "empty", files: ["switchd.toml": "[log]\ndecisions = \"\"\n", "customers/acme.toml": validCustomer],
                ["\(serverFile): error: log.decisions must be a file path, e.g. \"var/decisions.log\""]),
            ValidationCase(
                "misspelt key", files: ["switchd.toml": "[log]\ndecsions = \"d.log\"\n", "customers/acme.toml": validCustomer],
                ["\(serverFile): error: unknown key log.decsions; did you mean log.decisions?"]),
            ValidationCase(
                "not a table", files: ["switchd.toml": "log = \"d.log\"\n", "customers/acme.toml": validCustomer],
                ["\(serverFile): error: log must be a table with decisions = \"PATH\", not a string"]),
        ])
    func invalid(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test("a path is kept as written; absent, there is no decision log")
    func valid() throws {
        let with = try TempConf.with(["switchd.toml": "[log]\ndecisions = \"var/d.log\"\n", "customers/acme.toml": validCustomer])
        {
            try $0.load().get().server.decisionLog
        }
        #expect(with == "var/d.log")
        let without = try TempConf.with(["customers/acme.toml": validCustomer]) { try $0.load().get().server.decisionLog }
        #expect(without == nil)
    }
}
