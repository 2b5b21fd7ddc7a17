import Addressing
// One table per class of input that used to crash, hang or be misread, each case with the exact
// lines `switchd check` prints for it. Loaded in-process from memory (directory name CONF).
import Foundation
import Testing

@testable import Config
@testable import Routing

/// The diagnostic lines of loading `files` (none when it loads).
func diagnostics(_ files: [String: String], folders: Set<String> = []) -> [String] {
    diagnostics(bytes: files.mapValues { Array($0.utf8) }, folders: folders)
}

func diagnostics(bytes files: [String: [UInt8]], folders: Set<String> = []) -> [String] {
    do throws(ConfigError) {
        _ = try ConfigLoader.load(InMemorySource(displayName: "CONF", files: files, folders: folders))
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// acme and globex in group harbor; each case changes acme's file.
let groupBase: [String: String] = [
    "groups/harbor.toml": "name = \"Harbor\"\n",
    "customers/globex.toml":
        "name = \"Globex\"\ncm = 3\ndomains = [\"globex.example\"]\ngroup = \"harbor\"\naccess_code = \"72\"\n[extensions]\n\"300\" = \"sip:300@globex.example\"\n",
]

/// acme's file: `line` is its fifth line (after name, cm, domains, group).
func acme(_ line: String, extra: String = "") -> String {
    "name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\ngroup = \"harbor\"\n\(line)\n\(extra)"
}

struct DiagnosticCase: Sendable, CustomTestStringConvertible {
    let name: String
    let files: [String: String]
    let expected: [String]

    init(_ name: String, acme line: String, extra: String = "", _ expected: [String]) {
        var files = groupBase
        files["customers/acme.toml"] = acme(line, extra: extra)
        self.init(name, files: files, expected)
    }

    init(_ name: String, files: [String: String], _ expected: [String]) {
        self.name = name
        self.files = files
        self.expected = expected
    }

    var testDescription: String { name }
}

private let acmeFile = "CONF/customers/acme.toml"
private let nulMessage = "a string must not contain U+0000 (\\u0000): nothing in a configuration can hold a NUL character"
private let depthMessage =
    "nested more than 64 levels deep (tables, dotted keys, arrays and inline tables together); no switchd setting is nested more than 3"
private let headerMessage = "a table header must start with a name, e.g. [server] or [trunks.\"9\"]"

@Suite("Robustness: exact diagnostics for each class of bad input")
struct RobustnessDiagnosticTests {
    @Test(
        "an access code that fails its check is reported once and never reaches the compiler",
        arguments: [
            DiagnosticCase(
                "letters (it trapped in DialPlanCompiler)", acme: "access_code = \"7a\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7a\""
                ]),
            DiagnosticCase(
                "a newline, escaped in the message", acme: "access_code = \"7\\n1\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7\\n1\""
                ]),
            DiagnosticCase(
                "seven digits", acme: "access_code = \"1234567\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"1234567\""
                ]),
            DiagnosticCase(
                "empty", acme: "access_code = \"\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"\""
                ]),
            DiagnosticCase(
                "a star, dialable but not a digit", acme: "access_code = \"*7\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"*7\""
                ]),
            DiagnosticCase(
                "an integer", acme: "access_code = 71",
                [
                    "\(acmeFile): error: access_code must be a quoted string of digits, e.g. \"071\", not an integer"
                ]),
            DiagnosticCase(
                "a quote and a backslash, escaped", acme: "access_code = \"7\\\"\\\\\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7\\\"\\\\\""
                ]),
        ])
    func accessCodes(_ testCase: DiagnosticCase) {
        #expect(diagnostics(testCase.files) == testCase.expected)
    }

    @Test(
        "U+0000 is refused before TOMLKit, which cut strings at it and trapped on keys holding it",
        arguments: [
            DiagnosticCase(
                "in a network (TOMLKit read \"10.0.0.0\\u0000junk\" as 10.0.0.0)", acme: "networks = [\"10.0.0.0\\u0000junk\"]",
                [
                    "\(acmeFile):5:22: error: \(nulMessage)"
                ]),
            DiagnosticCase(
                "in an extension key (TOMLKit's iterator trapped)", acme: "access_code = \"71\"",
                extra: "[extensions]\n\"1\\u0000\" = \"sip:1@a.example\"\n",
                [
                    "\(acmeFile):7:3: error: \(nulMessage)"
                ]),
            DiagnosticCase(
                "in an access code", acme: "access_code = \"\\u0000\"",
                [
                    "\(acmeFile):5:16: error: \(nulMessage)"
                ]),
            DiagnosticCase(
                "as \\U00000000, in a multi-line string", acme: "access_code = \"71\"",
                extra: "name2 = \"\"\"a\n\\U00000000\"\"\"\n",
                [
                    "\(acmeFile):7:1: error: a string must not contain U+0000 (\\U00000000): nothing in a configuration can hold a NUL character"
                ]),
            DiagnosticCase(
                "not a NUL: an escaped backslash before u0000", acme: "access_code = \"\\\\u0000\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"\\\\u0000\""
                ]),
            DiagnosticCase(
                "not a NUL: a literal string", acme: "access_code = '\\u0000'",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"\\\\u0000\""
                ]),
            DiagnosticCase("not a NUL: a comment", acme: "access_code = \"71\" # \\u0000", []),
        ])
    func nul(_ testCase: DiagnosticCase) {
        #expect(diagnostics(testCase.files) == testCase.expected)
    }

    @Test("a NUL byte in a file is refused, not taken as the end of the file")
    func nulByte() {
        var files = groupBase.mapValues { Array($0.utf8) }
        files["customers/acme.toml"] = Array(acme("access_code = \"71\"").utf8) + [0] + Array("garbage = = =\n".utf8)
        #expect(
            diagnostics(bytes: files) == [
                "\(acmeFile):6:1: error: contains a NUL byte (U+0000): a configuration file is text, and TOML does not allow it"
            ])
    }

    @Test(
        "IPAddress refuses text with a NUL, which inet_pton would read up to the NUL",
        arguments: [
            "10.0.0.0\u{0}junk", "10.0.0.0\u{0}", "::1\u{0}x", "\u{0}",
        ])
    func addressWithNUL(_ text: String) {
        #expect(IPAddress(text) == nil)
        #expect(IPAddress(String(text.prefix { $0 != "\u{0}" })) != nil || text.hasPrefix("\u{0}"))
    }

    @Test(
        "nesting beyond 64 levels is refused before toml++, which overflowed the stack on dotted keys",
        arguments: [
            DiagnosticCase(
                "100,000 dotted key parts (SIGSEGV)", acme: String(repeating: "a.", count: 100_000) + "a = 1",
                [
                    "\(acmeFile):5:128: error: \(depthMessage)"
                ]),
            DiagnosticCase(
                "a table header of 100,000 parts", acme: "[" + String(repeating: "a.", count: 100_000) + "a]",
                [
                    "\(acmeFile):5:129: error: \(depthMessage)"
                ]),
            DiagnosticCase(
                "5,000 nested arrays", acme: "x = " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
                [
                    "\(acmeFile):5:68: error: \(depthMessage)"
                ]),
            DiagnosticCase(
                "5,000 nested inline tables",
                acme: "x = " + String(repeating: "{ a = ", count: 5_000) + "1" + String(repeating: " }", count: 5_000),
                [
                    "\(acmeFile):5:197: error: \(depthMessage)"
                ]),
            DiagnosticCase(
                "20 levels: within the limit, so only the key is unknown",
                acme: "access_code = \"71\"\n" + String(repeating: "a.", count: 19) + "a = 1",
                [
                    "\(acmeFile): error: unknown key a (known keys: \(CustomerFileParser.knownKeys.joined(separator: ", ")))"
                ]),
        ])
    func nesting(_ testCase: DiagnosticCase) {
        #expect(diagnostics(testCase.files) == testCase.expected)
    }

    @Test(
        "toml++ asserts (abort, release builds too) on these: reported instead",
        arguments: [
            DiagnosticCase(
                "a header starting with #", acme: "[#",
                [
                    "\(acmeFile):5:2: error: \(headerMessage)"
                ]),
            DiagnosticCase(
                "[ alone on a line", acme: "[", extra: "x = 1\n",
                [
                    "\(acmeFile):5:2: error: \(headerMessage)"
                ]),
            DiagnosticCase(
                "three brackets", acme: "[[[a]]",
                [
                    "\(acmeFile):5:3: error: \(headerMessage)"
                ]),
            DiagnosticCase(
                "a dot after [ and a space", acme: "[ .a]",
                [
                    "\(acmeFile):5:3: error: \(headerMessage)"
                ]),
            DiagnosticCase(
                "} as an array element", acme: "networks = [}]",
                [
                    "\(acmeFile):5:13: error: '}' inside an array closes no inline table; an array ends with ']'"
                ]),
            DiagnosticCase(
                "a line separator as an array element", acme: "networks = [\u{2028}]",
                [
                    "\(acmeFile):5:13: error: a Unicode line break (U+2028) outside a string or comment; TOML lines end with a newline"
                ]),
            DiagnosticCase(
                "a date-time with no digit after its T", acme: "access_code = 1979-05-27T-7:32:00Z",
                [
                    "\(acmeFile):5:26: error: a date-time needs a time after its T, e.g. 1979-05-27T07:32:00Z"
                ]),
            DiagnosticCase(
                "a date, a space and one digit", acme: "access_code = 1979-05-27 0",
                [
                    "\(acmeFile):5:26: error: a date, a space and a single digit: write a date-time as 1979-05-27 07:32:00, or quote the text"
                ]),
            DiagnosticCase(
                "dashes where a date has them, anything between", acme: "access_code = [1979-)5-27 0]",
                [
                    "\(acmeFile):5:27: error: a date, a space and a single digit: write a date-time as 1979-05-27 07:32:00, or quote the text"
                ]),
            DiagnosticCase(
                "a date with underscores, a space and a digit (toml++ stepped back past its history)",
                acme: "access_code = 1" + String(repeating: "_", count: 116) + "979-05-27 0:0",
                [
                    "\(acmeFile):5:15: error: a date must not contain underscores (TOML allows them between the digits of a number only), e.g. 1979-05-27 07:32:00"
                ]),
            DiagnosticCase(
                "a real date-time with a space loads as a date-time", acme: "access_code = 1979-05-27 07:32:00",
                [
                    "\(acmeFile): error: access_code must be a quoted string of digits, e.g. \"071\", not a date or time"
                ]),
            DiagnosticCase(
                "a line separator in a string is fine", acme: "access_code = \"7\u{2028}\"",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7\\u2028\""
                ]),
        ])
    func tomlAssertions(_ testCase: DiagnosticCase) {
        #expect(diagnostics(testCase.files) == testCase.expected)
    }

    @Test(
        "[limits] values out of range are refused (Int.max trapped through Double, max_tracked_addresses killed run)",
        arguments: [
            (
                "auth_failures = 9223372036854775807",
                "limits.auth_failures must be an integer from 1 to 1000000, e.g. auth_failures = 10"
            ),
            (
                "max_tracked_addresses = 9223372036854775807",
                "limits.max_tracked_addresses must be an integer from 1 to 1048576, e.g. max_tracked_addresses = 65536"
            ),
            (
                "max_tracked_addresses = 4000000000000",
                "limits.max_tracked_addresses must be an integer from 1 to 1048576, e.g. max_tracked_addresses = 65536"
            ),
            (
                "max_tracked_addresses = 2.5",
                "limits.max_tracked_addresses must be an integer from 1 to 1048576, e.g. max_tracked_addresses = 65536"
            ),
            ("rate = inf", "limits.rate must be a positive number up to 1000000, e.g. rate = 20"),
            ("rate = nan", "limits.rate must be a positive number up to 1000000, e.g. rate = 20"),
            ("rate = -1", "limits.rate must be a positive number up to 1000000, e.g. rate = 20"),
            ("ban_seconds = 1e300", "limits.ban_seconds must be a positive number up to 31536000, e.g. ban_seconds = 600"),
            ("failure_window = -inf", "limits.failure_window must be a positive number up to 31536000, e.g. failure_window = 60"),
            ("burst = 0.5", "limits.burst must be a number from 1 up to 1000000, e.g. burst = 40"),
            (
                "untrusted_burst = nan",
                "limits.untrusted_burst must be a number from 1 up to 10000000, e.g. untrusted_burst = 4000"
            ),
            ("log_interval = \"10\"", "limits.log_interval must be a positive number up to 31536000, e.g. log_interval = 10"),
        ])
    func limits(_ line: String, _ message: String) {
        var files = groupBase
        files["customers/acme.toml"] = acme("access_code = \"71\"")
        files["switchd.toml"] = "[limits]\n\(line)\n"
        #expect(diagnostics(files) == ["CONF/switchd.toml: error: \(message)"])
    }

    @Test("[limits] at their maxima load")
    func limitMaxima() throws {
        var files = groupBase
        files["customers/acme.toml"] = acme("access_code = \"71\"")
        files["switchd.toml"] =
            "[limits]\nrate = 1000000\nburst = 1\nauth_failures = 1000000\nfailure_window = 31536000\nban_seconds = 31536000.0\nmax_tracked_addresses = 1048576\nlog_interval = 0.001\nuntrusted_rate = 10000000\nuntrusted_burst = 10000000\n"
        let configuration = try ConfigLoader.load(InMemorySource(displayName: "CONF", files: files.mapValues { Array($0.utf8) }))
        #expect(configuration.server.limits.maxTrackedAddresses == 1_048_576)
        #expect(configuration.server.limits.authFailuresBeforeBan == 1_000_000)
        #expect(configuration.server.limits.banSeconds == 31_536_000)
    }

    @Test(
        "values and keys are quoted with escapes and shortened: every diagnostic is one line",
        arguments: [
            DiagnosticCase(
                "a newline in a domain", acme: "access_code = \"71\"\ndomains2 = 1", replacing: "domains = [\"acme.example\"]",
                with: "domains = [\"a\\nb.example\"]",
                [
                    "\(acmeFile): error: unknown key domains2; did you mean domains?",
                    "\(acmeFile): error: domains: \"a\\nb.example\" is not a valid domain name",
                ]),
            DiagnosticCase(
                "a tab and a DEL", acme: "access_code = \"71\"", replacing: "domains = [\"acme.example\"]",
                with: "domains = [\"a\\tb\\u007F\"]",
                [
                    "\(acmeFile): error: domains: \"a\\tb\\u007F\" is not a valid domain name"
                ]),
            DiagnosticCase(
                "5,000 characters", acme: "access_code = \"71\"", replacing: "domains = [\"acme.example\"]",
                with: "domains = [\"\(String(repeating: "x", count: 5_000))\"]",
                [
                    "\(acmeFile): error: domains: \"\(String(repeating: "x", count: 100))\"... (5000 characters) is not a valid domain name"
                ]),
            DiagnosticCase(
                "a key with a newline", acme: "access_code = \"71\"\n\"a\\nb\" = 1",
                [
                    "\(acmeFile): error: unknown key \"a\\nb\" (known keys: \(CustomerFileParser.knownKeys.joined(separator: ", ")))"
                ]),
            DiagnosticCase(
                "a control character in a contact", acme: "access_code = \"71\"",
                extra: "[extensions]\n\"201\" = \"sip:201@a.example\\u0001\"\n",
                [
                    "\(acmeFile): error: extensions.201: contact \"sip:201@a.example\\u0001\" must not contain control characters such as \"\\u0001\""
                ]),
            DiagnosticCase(
                "a quote in a contact", acme: "access_code = \"71\"", extra: "[extensions]\n\"201\" = 'sip:\"201\"@a.example'\n",
                [
                    "\(acmeFile): error: extensions.201: contact \"sip:\\\"201\\\"@a.example\" must not contain \"\\\"\""
                ]),
            DiagnosticCase(
                "a 5,000-character group", acme: "access_code = \"71\"", replacing: "group = \"harbor\"",
                with: "group = \"\(String(repeating: "h", count: 5_000))\"",
                [
                    "\(acmeFile): error: group \"\(String(repeating: "h", count: 100))\"... (5000 characters) does not exist"
                ]),
        ])
    func quoting(_ testCase: DiagnosticCase) {
        #expect(diagnostics(testCase.files) == testCase.expected)
    }

    @Test("file-level damage, in memory")
    func files() {
        var files = groupBase.mapValues { Array($0.utf8) }
        files["customers/acme.toml"] = Array(acme("access_code = \"71\"").utf8) + [UInt8](repeating: 0x23, count: 6 * 1024 * 1024)
        #expect(
            diagnostics(bytes: files) == [
                "\(acmeFile): error: is 6291540 bytes; a configuration file may be at most 4194304 bytes"
            ])

        files["customers/acme.toml"] = nil
        #expect(
            diagnostics(bytes: files, folders: ["customers/acme.toml"]) == ["\(acmeFile): error: is a directory, not a TOML file"]
        )

        files["customers/new\nline.toml"] = Array("name = \"N\"\ncm = 3\ndomains = [\"n.example\"]\ncolour = 1\n".utf8)
        #expect(
            diagnostics(bytes: files) == [
                "CONF/customers/new\\nline.toml: error: unknown key colour (known keys: \(CustomerFileParser.knownKeys.joined(separator: ", ")))"
            ])
    }
}

extension DiagnosticCase {
    /// A case whose acme file has `old` replaced by `new`.
    init(_ name: String, acme line: String, extra: String = "", replacing old: String, with new: String, _ expected: [String]) {
        var files = groupBase
        files["customers/acme.toml"] = acme(line, extra: extra).replacingOccurrences(of: old, with: new)
        self.init(name, files: files, expected)
    }
}
