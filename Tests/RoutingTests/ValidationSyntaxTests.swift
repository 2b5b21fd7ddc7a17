// TOML syntax errors carry FILE:LINE:COL; unknown keys get a "did you mean" for near misses.
import Testing

@testable import Config
@testable import Routing

@Suite("Validation: TOML syntax and unknown keys")
struct ValidationSyntaxTests {
    @Test(
        "a TOML syntax error is reported with its line and column",
        arguments: [
            ValidationCase(
                "unterminated string", acme: "name = \"Acme Corp\"\ncm = 3\ndomains = [\"acme.example]\n",
                [
                    "CONF/customers/acme.toml:3:26: error: Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"
                ]),
            ValidationCase(
                "missing value", acme: "name = \"Acme Corp\"\ncm =\ndomains = [\"acme.example\"]\n",
                [
                    "CONF/customers/acme.toml:2:5: error: Error while parsing key-value pair: expected value, saw '\\n'"
                ]),
            ValidationCase(
                "duplicate key", acme: validCustomer + "cm = 4\n",
                [
                    "CONF/customers/acme.toml:4:6: error: Error while parsing key-value pair: cannot redefine existing integer 'cm'"
                ]),
            ValidationCase(
                "group file", files: ["groups/harbor.toml": "name = Harbor\n", "customers/acme.toml": validCustomer],
                [
                    "CONF/groups/harbor.toml:1:8: error: Error while parsing value: could not determine value type"
                ]),
            ValidationCase(
                "switchd.toml", files: ["switchd.toml": "[server\nlisten = []\n", "customers/acme.toml": validCustomer],
                [
                    "CONF/switchd.toml:1:8: error: Error while parsing table header: expected ']', saw '\\n'"
                ]),
        ])
    func syntax(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "unknown keys are reported, with a suggestion for near misses",
        arguments: [
            ValidationCase(
                "misspelt top-level key", acme: validCustomer + "acces_code = \"71\"\n",
                [
                    "CONF/customers/acme.toml: error: unknown key acces_code; did you mean access_code?"
                ]),
            ValidationCase(
                "transposed letters", acme: validCustomer + "netwroks = [\"10.0.0.0/8\"]\n",
                [
                    "CONF/customers/acme.toml: error: unknown key netwroks; did you mean networks?"
                ]),
            ValidationCase(
                "singular for plural", acme: "name = \"Acme Corp\"\ncm = 3\ndomain = [\"acme.example\"]\n",
                [
                    "CONF/customers/acme.toml: error: unknown key domain; did you mean domains?",
                    "CONF/customers/acme.toml: error: missing required key domains (the SIP domains of this customer's callers, e.g. domains = [\"acme.example\"])",
                ]),
            ValidationCase(
                "unrelated key", acme: validCustomer + "colour = \"red\"\n",
                [
                    "CONF/customers/acme.toml: error: unknown key colour (known keys: \(CustomerFileParser.knownKeys.joined(separator: ", ")))"
                ]),
            ValidationCase(
                "key inside a trunk",
                acme: validCustomer + "[trunks.\"9\"]\ngateway = \"sip:{number}@gw.example\"\ngatway = \"x\"\n",
                [
                    "CONF/customers/acme.toml: error: unknown key trunks.9.gatway; did you mean trunks.9.gateway?"
                ]),
            ValidationCase(
                "group file",
                files: ["groups/harbor.toml": "name = \"Harbor\"\nnmae = \"x\"\n", "customers/acme.toml": validCustomer],
                [
                    "CONF/groups/harbor.toml: error: unknown key nmae; did you mean name?"
                ]),
            ValidationCase(
                "switchd.toml",
                files: [
                    "switchd.toml": "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\nlistne = []\n",
                    "customers/acme.toml": validCustomer,
                ],
                [
                    "CONF/switchd.toml: error: unknown key server.listne; did you mean server.listen?"
                ]),
        ])
    func unknownKeys(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }
}
