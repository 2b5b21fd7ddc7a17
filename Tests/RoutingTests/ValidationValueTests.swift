// Malformed networks, URIs, ranges, extension numbers and trunks.
import Testing

@testable import Config
@testable import Routing

private let acmeFile = "CONF/customers/acme.toml"

private func withNetwork(_ network: String) -> String { validCustomer + "networks = [\"\(network)\"]\n" }
private func withExtension(_ key: String, _ contact: String) -> String {
    validCustomer + "[extensions]\n\"\(key)\" = \"\(contact)\"\n"
}
private func withTrunk(_ code: String, gateway: String?) -> String {
    validCustomer + "[trunks.\"\(code)\"]\n" + (gateway.map { "gateway = \"\($0)\"\n" } ?? "")
}

@Suite("Validation: networks, URIs, ranges, extensions, trunks")
struct ValidationValueTests {
    @Test(
        "malformed CIDR networks",
        arguments: [
            ValidationCase(
                "prefix too long", acme: withNetwork("10.1.0.0/33"),
                [
                    "\(acmeFile): error: networks: \"10.1.0.0/33\" has an invalid prefix length (0-32 for IPv4, 0-128 for IPv6)"
                ]),
            ValidationCase(
                "IPv6 prefix too long", acme: withNetwork("2001:db8::/129"),
                [
                    "\(acmeFile): error: networks: \"2001:db8::/129\" has an invalid prefix length (0-32 for IPv4, 0-128 for IPv6)"
                ]),
            ValidationCase(
                "prefix not a number", acme: withNetwork("10.1.0.0/x"),
                [
                    "\(acmeFile): error: networks: \"10.1.0.0/x\" has an invalid prefix length (0-32 for IPv4, 0-128 for IPv6)"
                ]),
            ValidationCase(
                "three octets", acme: withNetwork("10.1.0/16"),
                [
                    "\(acmeFile): error: networks: \"10.1.0/16\" is not a CIDR network such as \"10.1.0.0/16\" or \"2001:db8::/32\""
                ]),
            ValidationCase(
                "a host name", acme: withNetwork("office.example/24"),
                [
                    "\(acmeFile): error: networks: \"office.example/24\" is not a CIDR network such as \"10.1.0.0/16\" or \"2001:db8::/32\""
                ]),
            ValidationCase(
                "IPv4 host bits set", acme: withNetwork("10.1.2.3/16"),
                [
                    "\(acmeFile): error: networks: \"10.1.2.3/16\" has host bits set; did you mean \"10.1.0.0/16\"?"
                ]),
            ValidationCase(
                "IPv6 host bits set", acme: withNetwork("2001:db8::1/32"),
                [
                    "\(acmeFile): error: networks: \"2001:db8::1/32\" has host bits set; did you mean \"2001:db8::/32\"?"
                ]),
        ])
    func networks(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "valid networks, including a bare address and IPv6, load",
        arguments: ["10.1.0.0/16", "10.1.0.21", "0.0.0.0/0", "2001:db8::/32", "::1/128"])
    func validNetworks(_ network: String) throws {
        #expect(try diagnostics(of: ["customers/acme.toml": withNetwork(network)]) == [])
    }

    @Test(
        "malformed contact and gateway URIs",
        arguments: [
            ValidationCase(
                "not sip:", acme: withExtension("201", "http://10.1.0.21/201"),
                [
                    "\(acmeFile): error: extensions.201: contact \"http://10.1.0.21/201\" must be a sip: or sips: URI, or \"registered\" for registered phones only"
                ]),
            ValidationCase(
                "no scheme", acme: withExtension("201", "201@10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.201: contact \"201@10.1.0.21\" must be a sip: or sips: URI, or \"registered\" for registered phones only"
                ]),
            ValidationCase(
                "the registered-only word is lower case", acme: withExtension("201", "Registered"),
                [
                    "\(acmeFile): error: extensions.201: contact \"Registered\" must be a sip: or sips: URI, or \"registered\" for registered phones only"
                ]),
            ValidationCase(
                "whitespace", acme: withExtension("201", "sip:201@ 10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.201: contact \"sip:201@ 10.1.0.21\" must not contain whitespace"
                ]),
            ValidationCase(
                "no host", acme: withExtension("201", "sip:201@"),
                [
                    "\(acmeFile): error: extensions.201: contact \"sip:201@\" has no host part"
                ]),
            ValidationCase(
                "unknown placeholder in a contact", acme: withExtension("100-199", "sip:{number}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.100-199: contact \"sip:{number}@pbx.acme.example\" uses unknown placeholder {number}; only {ext} is replaced here"
                ]),
            ValidationCase(
                "unterminated placeholder", acme: withExtension("100-199", "sip:{ext@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.100-199: contact \"sip:{ext@pbx.acme.example\" has a \"{\" without a closing \"}\""
                ]),
            ValidationCase(
                "unknown placeholder in a gateway", acme: withTrunk("9", gateway: "sip:{ext}@gw.acme.example"),
                [
                    "\(acmeFile): error: trunks.9.gateway: \"sip:{ext}@gw.acme.example\" uses unknown placeholder {ext}; only {number} is replaced here"
                ]),
            ValidationCase(
                "gateway not sip:", acme: withTrunk("9", gateway: "tel:{number}"),
                [
                    "\(acmeFile): error: trunks.9.gateway: \"tel:{number}\" must be a sip: or sips: URI"
                ]),
        ])
    func uris(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "malformed ranges and extension numbers",
        arguments: [
            ValidationCase(
                "ends of different lengths", acme: withExtension("100-1999", "sip:{ext}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.100-1999: both ends of a range must have the same length (3 and 4 digits)"
                ]),
            ValidationCase(
                "low above high", acme: withExtension("199-100", "sip:{ext}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.199-100: the range's first number must not be greater than its last"
                ]),
            ValidationCase(
                "a letter in a range", acme: withExtension("1a0-199", "sip:{ext}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.1a0-199: a range must be two numbers of 1 to 10 digits, e.g. \"100-199\""
                ]),
            ValidationCase(
                "a star in a range", acme: withExtension("*10-*19", "sip:{ext}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.\"*10-*19\": a range must be two numbers of 1 to 10 digits, e.g. \"100-199\""
                ]),
            ValidationCase(
                "an open range", acme: withExtension("100-", "sip:{ext}@pbx.acme.example"),
                [
                    "\(acmeFile): error: extensions.100-: a range must be two numbers of 1 to 10 digits, e.g. \"100-199\""
                ]),
            ValidationCase(
                "a letter in an extension", acme: withExtension("20a", "sip:201@10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.20a: an extension must be 1 to 10 characters of 0-9, * and #, or a range such as \"100-199\""
                ]),
            ValidationCase(
                "a plus in an extension", acme: withExtension("+201", "sip:201@10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.\"+201\": an extension must be 1 to 10 characters of 0-9, * and #, or a range such as \"100-199\""
                ]),
            ValidationCase(
                "an extension of 11 characters", acme: withExtension("12345678901", "sip:x@10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.12345678901: an extension must be 1 to 10 characters of 0-9, * and #, or a range such as \"100-199\""
                ]),
            ValidationCase(
                "an empty extension", acme: withExtension("", "sip:x@10.1.0.21"),
                [
                    "\(acmeFile): error: extensions.\"\": an extension must be 1 to 10 characters of 0-9, * and #, or a range such as \"100-199\""
                ]),
        ])
    func ranges(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "malformed trunks",
        arguments: [
            ValidationCase(
                "no gateway", acme: withTrunk("9", gateway: nil),
                [
                    "\(acmeFile): error: missing required key trunks.9.gateway (the URI calls are sent to, e.g. gateway = \"sip:{number}@gw.example\")"
                ]),
            ValidationCase(
                "gateway without {number}", acme: withTrunk("9", gateway: "sip:gw.acme.example"),
                [
                    "\(acmeFile): error: trunks.9.gateway: \"sip:gw.acme.example\" must contain {number}, the digits dialled after the trunk code"
                ]),
            ValidationCase(
                "a letter in a trunk code", acme: withTrunk("9a", gateway: "sip:{number}@gw.acme.example"),
                [
                    "\(acmeFile): error: trunks.9a: a trunk code must be 1 to 10 characters of 0-9, * and #"
                ]),
            ValidationCase(
                "a trunk that is not a table", acme: validCustomer + "[trunks]\n\"9\" = \"sip:{number}@gw.acme.example\"\n",
                [
                    "\(acmeFile): error: trunks.9 must be a table with a gateway key, e.g. [trunks.\"9\"] gateway = \"sip:{number}@gw.example\", not a string"
                ]),
        ])
    func trunks(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }
}

@Suite("Validation: [auth] algorithms")
struct AuthAlgorithmsValidationTests {
    @Test(
        "wrong values are errors naming file and key",
        arguments: [
            (
                "algorithms = []",
                "CONF/switchd.toml: error: auth.algorithms must name at least one algorithm, e.g. [\"SHA-256\", \"MD5\"]"
            ),
            (
                "algorithms = [\"SHA-512\"]",
                "CONF/switchd.toml: error: auth.algorithms: \"SHA-512\" is not a digest algorithm switchd offers (SHA-256, MD5)"
            ),
            ("algorithms = [\"MD5\", \"md5\"]", "CONF/switchd.toml: error: auth.algorithms lists MD5 twice"),
            (
                "algorithms = \"MD5\"",
                "CONF/switchd.toml: error: auth.algorithms must be an array of algorithm names, e.g. [\"SHA-256\", \"MD5\"], not a string"
            ),
        ])
    func rejected(_ line: String, _ message: String) throws {
        try expectDiagnostics(
            ValidationCase(
                "auth algorithms", files: ["switchd.toml": "[auth]\n\(line)\n", "customers/acme.toml": validCustomer], [message]))
    }
}
