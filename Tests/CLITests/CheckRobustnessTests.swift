// The built binary on files that used to kill it: `check` (and `run`, which loads the same way) exit 1
// with every problem as FILE: error: lines, instead of a trap or an abort inside toml++.
import Foundation
import Testing

@Suite("switchd check on files that used to crash it")
struct CheckRobustnessTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Replaces or adds files of `cliConf`.
        let files: [String: String]
        /// The stderr lines before the count, with CONF for the directory.
        let expected: [String]
        var testDescription: String { name }
    }

    @Test(
        "exit 1, the diagnostics on stderr, nothing on stdout",
        arguments: [
            Case(
                name: "a header starting with # (toml++ aborted)", files: ["switchd.toml": "[#\n"],
                expected: [
                    "CONF/switchd.toml:1:2: error: a table header must start with a name, e.g. [server] or [trunks.\"9\"]"
                ]),
            Case(
                name: "a NUL in an extension key (TOMLKit trapped)",
                files: [
                    "customers/initech.toml":
                        "name = \"Initech\"\ncm = 3\ndomains = [\"initech.example\"]\n[extensions]\n\"40\\u0000\" = \"sip:4000@10.3.0.1\"\n"
                ],
                expected: [
                    "CONF/customers/initech.toml:5:4: error: a string must not contain U+0000 (\\u0000): nothing in a configuration can hold a NUL character"
                ]),
            Case(
                name: "a grouped customer's access code \"7a\" (DialPlanCompiler trapped)",
                files: [
                    "customers/globex.toml": cliConf["customers/globex.toml", default: ""].replacingOccurrences(
                        of: "access_code = \"72\"", with: "access_code = \"7a\"")
                ],
                expected: [
                    "CONF/customers/globex.toml: error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7a\""
                ]),
            Case(
                name: "auth_failures = Int.max (trapped converting through Double)",
                files: [
                    "switchd.toml": "[limits]\nauth_failures = 9223372036854775807\n"
                ],
                expected: [
                    "CONF/switchd.toml: error: limits.auth_failures must be an integer from 1 to 1000000, e.g. auth_failures = 10"
                ]),
            Case(
                name: "100,000 dotted key parts (toml++ overflowed the stack)",
                files: [
                    "groups/harbor.toml": "name = \"Harbor\"\n" + String(repeating: "a.", count: 100_000) + "a = 1\n"
                ],
                expected: [
                    "CONF/groups/harbor.toml:2:128: error: nested more than 64 levels deep (tables, dotted keys, arrays and inline tables together); no switchd setting is nested more than 3"
                ]),
        ])
    func check(_ testCase: Case) throws {
        var files = cliConf
        for (path, text) in testCase.files { files[path] = text }
        try withConf(files) { conf in
            let result = try Switchd.run(["check", "--conf", conf])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            let count = testCase.expected.count
            #expect(
                result.stderr == (testCase.expected + ["\(count) \(count == 1 ? "error" : "errors")"])
                    .map { $0.replacingOccurrences(of: "CONF", with: conf) }.joined(separator: "\n") + "\n")
        }
    }

    @Test("run refuses max_tracked_addresses = Int.max at load (it aborted allocating its tables)")
    func runRefusesHugeTables() throws {
        var files = cliConf
        files["switchd.toml"] =
            "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n[limits]\nmax_tracked_addresses = 9223372036854775807\n"
        try withConf(files) { conf in
            let result = try Switchd.run(["run", "--conf", conf])
            #expect(result.status == 1, "\(result)")
            #expect(
                result.stderr
                    == "\(conf)/switchd.toml: error: limits.max_tracked_addresses must be an integer from 1 to 1048576, e.g. max_tracked_addresses = 65536\n1 error\n"
            )
        }
    }
}
