// numbering.toml, trunks' allow and e164, [outbound], and extensions or access codes against emergency
// numbers: every problem named with its file and key.
import Testing

@testable import Config
@testable import Routing

private let numberingFile = "CONF/numbering.toml"
private let acmeFile = "CONF/customers/acme.toml"
private let bare = "; an emergency number must stay dialable bare"

/// A valid acme with `extra` appended, beside `numbering`.
private func files(numbering: String? = ukNumbering, acme extra: String = "") -> [String: String] {
    var files = ["customers/acme.toml": validCustomer + extra]
    if let numbering { files["numbering.toml"] = numbering }
    return files
}

private func trunk(_ lines: String, code: String = "9") -> String {
    "[trunks.\"\(code)\"]\ngateway = \"sip:{number}@gw.example\"\n\(lines)\n"
}

@Suite("Validation: numbering, classes, emergency numbers")
struct ValidationNumberingTests {
    @Test(
        "numbering.toml: every key checked",
        arguments: [
            ValidationCase(
                "country code as an integer", files: files(numbering: "country_code = 44\n"),
                [
                    "\(numberingFile): error: country_code must be a quoted string of 1 to 3 digits, e.g. country_code = \"44\", not an integer"
                ]),
            ValidationCase(
                "country code starting with 0", files: files(numbering: "country_code = \"044\"\n"),
                ["\(numberingFile): error: country_code must be 1 to 3 digits not starting with 0, e.g. \"44\", not \"044\""]),
            ValidationCase(
                "national prefix not digits", files: files(numbering: "country_code = \"44\"\nnational_prefix = \"+\"\n"),
                ["\(numberingFile): error: national_prefix must be 0 to 4 digits, e.g. \"0\", not \"+\""]),
            ValidationCase(
                "unknown key", files: files(numbering: "country_code = \"44\"\nemergncy = 1\n"),
                ["\(numberingFile): error: unknown key emergncy; did you mean emergency?"]),
            ValidationCase(
                "emergency number not a dial string",
                files: files(
                    numbering: "country_code = \"44\"\n[emergency]\nnumbers = [\"9a9\"]\ngateway = \"sip:{number}@e.example\"\n"),
                ["\(numberingFile): error: emergency.numbers: \"9a9\" must be 1 to 10 characters of 0-9, * and #"]),
            ValidationCase(
                "emergency number twice",
                files: files(
                    numbering:
                        "country_code = \"44\"\n[emergency]\nnumbers = [\"999\", \"999\"]\ngateway = \"sip:{number}@e.example\"\n"
                ),
                ["\(numberingFile): error: emergency.numbers: \"999\" is listed twice"]),
            ValidationCase(
                "emergency gateway missing", files: files(numbering: "country_code = \"44\"\n[emergency]\nnumbers = [\"999\"]\n"),
                [
                    "\(numberingFile): error: missing required key emergency.gateway (where emergency calls go, e.g. gateway = \"sip:{number}@emergency-gw.example\")"
                ]),
            ValidationCase(
                "emergency gateway not SIP",
                files: files(numbering: "country_code = \"44\"\n[emergency]\nnumbers = [\"999\"]\ngateway = \"tel:{number}\"\n"),
                ["\(numberingFile): error: emergency.gateway: \"tel:{number}\" must be a sip: or sips: URI"]),
            ValidationCase(
                "too many emergency numbers",
                files: files(
                    numbering: "[emergency]\nnumbers = [\((0..<101).map { "\"\(1000 + $0)\"" }.joined(separator: ", "))]\n"
                        + "gateway = \"sip:{number}@e.example\"\n"),
                ["\(numberingFile): error: emergency.numbers: 101 numbers; at most 100 emergency numbers are possible"]),
            ValidationCase(
                "too many classes",
                files: files(numbering: "[classes]\n" + (0..<63).map { "c\($0) = []\n" }.joined()),
                ["\(numberingFile): error: classes: 63 classes; at most 62 are possible besides local and international"]),
            ValidationCase(
                "class name with capitals", files: files(numbering: "country_code = \"44\"\n[classes]\nIntl = [\"00\"]\n"),
                [
                    "\(numberingFile): error: classes.Intl: a class name is 1 to 32 lower-case letters, digits, _ and -, e.g. international"
                ]),
            ValidationCase(
                "class prefix not a dial string",
                files: files(numbering: "country_code = \"44\"\n[classes]\nmobile = [\"07x\"]\n"),
                ["\(numberingFile): error: classes.mobile: prefix \"07x\" must be 1 to 10 characters of 0-9, * and #"]),
            ValidationCase(
                "a prefix in two classes",
                files: files(numbering: "country_code = \"44\"\n[classes]\nmobile = [\"07\"]\nnational = [\"01\", \"07\"]\n"),
                [
                    "\(numberingFile): error: classes.national: prefix \"07\" is also in classes.mobile; a prefix belongs to one class"
                ]),
            ValidationCase(
                "a prefix twice in one class",
                files: files(numbering: "country_code = \"44\"\n[classes]\nmobile = [\"07\", \"07\"]\n"),
                [
                    "\(numberingFile): error: classes.mobile: prefix \"07\" is listed twice in classes.mobile; a prefix belongs to one class"
                ]),
            ValidationCase(
                "a class that is not an array", files: files(numbering: "country_code = \"44\"\n[classes]\nmobile = \"07\"\n"),
                ["\(numberingFile): error: classes.mobile must be an array of quoted prefixes, e.g. [\"00\"], not a string"]),
            ValidationCase(
                "not TOML: only that error, no unknown class in acme",
                files: files(numbering: "country_code = \n", acme: trunk("allow = [\"mobile\"]")),
                ["\(numberingFile):1:16: error: Error while parsing key-value pair: expected value, saw '\\n'"]),
        ])
    func numbering(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "trunks' allow and e164, and [outbound]",
        arguments: [
            ValidationCase(
                "misspelt class", files: files(acme: trunk("allow = [\"internatonal\"]")),
                [#"\#(acmeFile): error: trunks.9.allow: unknown call class "internatonal"; did you mean "international"?"#]),
            ValidationCase(
                "unknown class", files: files(acme: trunk("allow = [\"satellite\"]")),
                [
                    #"\#(acmeFile): error: trunks.9.allow: unknown call class "satellite" (classes: local, international, mobile, national, premium)"#
                ]),
            ValidationCase(
                "a class without numbering.toml", files: files(numbering: nil, acme: trunk("allow = [\"national\"]")),
                [#"\#(acmeFile): error: trunks.9.allow: unknown call class "national" (classes: local, international)"#]),
            ValidationCase(
                "allow as a string", files: files(acme: trunk("allow = \"local\"")),
                [
                    #"\#(acmeFile): error: trunks.9.allow must be an array of class names, e.g. ["local", "national"], not a string"#
                ]),
            ValidationCase(
                "e164 as a string", files: files(acme: trunk("e164 = \"yes\"")),
                [
                    #"\#(acmeFile): error: trunks.9.e164 must be true or false (true: this trunk carries +E.164 numbers), not a string"#
                ]),
            ValidationCase(
                "two e164 trunks", files: files(acme: trunk("e164 = true") + trunk("e164 = true", code: "8")),
                [
                    #"\#(acmeFile): error: trunks.9.e164: only one trunk of a customer may carry E.164 numbers, and trunks.8 already does"#
                ]),
            ValidationCase(
                "e164 trunk whose gateway adds a +",
                files: files(acme: "[trunks.\"9\"]\ngateway = \"sips:+{number}@gw.example\"\ne164 = true\n"),
                [
                    #"\#(acmeFile): error: trunks.9.e164: the gateway "sips:+{number}@gw.example" puts a + before {number}, and an E.164 number brings its own (write {number} alone)"#
                ]),
            ValidationCase(
                "outbound for no extension",
                files: files(acme: "[extensions]\n\"201\" = \"sip:201@h.example\"\n[outbound.\"205\"]\nallow = [\"local\"]\n"),
                [#"\#(acmeFile): error: outbound.205: "205" is not an extension of this customer (see [extensions])"#]),
            ValidationCase(
                "outbound for a range",
                files: files(
                    acme: "[extensions]\n\"200-209\" = \"sip:{ext}@h.example\"\n[outbound.\"200-209\"]\nallow = [\"local\"]\n"),
                [
                    #"\#(acmeFile): error: outbound.200-209: an extension number (1 to 10 characters of 0-9, * and #), not a range or a name"#
                ]),
            ValidationCase(
                "outbound without allow",
                files: files(acme: "[extensions]\n\"201\" = \"sip:201@h.example\"\n[outbound.\"201\"]\n"),
                [
                    #"\#(acmeFile): error: missing required key outbound.201.allow (the classes this extension may call, e.g. allow = ["national"])"#
                ]),
            ValidationCase(
                "outbound with a misspelt key",
                files: files(acme: "[extensions]\n\"201\" = \"sip:201@h.example\"\n[outbound.\"201\"]\nallow = []\nalow = []\n"),
                [#"\#(acmeFile): error: unknown key outbound.201.alow; did you mean outbound.201.allow?"#]),
            ValidationCase(
                "outbound, unknown class",
                files: files(acme: "[extensions]\n\"205\" = \"sip:205@h.example\"\n[outbound.\"205\"]\nallow = [\"mobil\"]\n"),
                [#"\#(acmeFile): error: outbound.205.allow: unknown call class "mobil"; did you mean "mobile"?"#]),
        ])
    func allowAndOutbound(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "an extension or access code equal to, a prefix of, or starting with an emergency number names both",
        arguments: [
            ValidationCase(
                "extension equal", files: files(acme: "[extensions]\n\"999\" = \"sip:999@h.example\"\n"),
                [#"\#(acmeFile): error: extension "999" is the emergency number "999" (\#(numberingFile))\#(bare)"#]),
            ValidationCase(
                "extension a prefix", files: files(acme: "[extensions]\n\"11\" = \"sip:11@h.example\"\n"),
                [#"\#(acmeFile): error: extension "11" is a prefix of the emergency number "112" (\#(numberingFile))\#(bare)"#]),
            ValidationCase(
                "extension starting with one", files: files(acme: "[extensions]\n\"9990\" = \"registered\"\n"),
                [#"\#(acmeFile): error: extension "9990" starts with the emergency number "999" (\#(numberingFile))\#(bare)"#]),
            ValidationCase(
                "range containing one", files: files(acme: "[extensions]\n\"100-199\" = \"sip:{ext}@h.example\"\n"),
                [
                    #"\#(acmeFile): error: extension range "100-199" contains the emergency number "112" (\#(numberingFile))\#(bare)"#
                ]),
            ValidationCase(
                "range holding a prefix", files: files(acme: "[extensions]\n\"10-19\" = \"sip:{ext}@h.example\"\n"),
                [
                    #"\#(acmeFile): error: extension range "10-19" holds "11", a prefix of the emergency number "112" (\#(numberingFile))\#(bare)"#
                ]),
            ValidationCase(
                "range starting with one", files: files(acme: "[extensions]\n\"9000-9999\" = \"sip:{ext}@h.example\"\n"),
                [
                    #"\#(acmeFile): error: extension range "9000-9999" has numbers that start with the emergency number "999" (\#(numberingFile))\#(bare)"#
                ]),
            ValidationCase(
                "access code equal",
                files: files(acme: "group = \"g\"\naccess_code = \"112\"\n").merging(["groups/g.toml": "name = \"G\"\n"]) { $1 },
                [#"\#(acmeFile): error: access code "112" is the emergency number "112" (\#(numberingFile))\#(bare)"#]),
            ValidationCase(
                "access code starting with one",
                files: files(acme: "group = \"g\"\naccess_code = \"9990\"\n").merging(["groups/g.toml": "name = \"G\"\n"]) { $1 },
                [#"\#(acmeFile): error: access code "9990" starts with the emergency number "999" (\#(numberingFile))\#(bare)"#]),
            ValidationCase(
                "access code a prefix",
                files: files(acme: "group = \"g\"\naccess_code = \"99\"\n").merging(["groups/g.toml": "name = \"G\"\n"]) { $1 },
                [#"\#(acmeFile): error: access code "99" is a prefix of the emergency number "999" (\#(numberingFile))\#(bare)"#]),
        ])
    func emergencyConflicts(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "valid: trunk codes beside emergency numbers, ranges around them, allow = [], classes named local",
        arguments: [
            files(acme: trunk("allow = []", code: "99")),
            files(acme: "[extensions]\n\"100-111\" = \"sip:{ext}@h.example\"\n\"113-199\" = \"sip:{ext}@h.example\"\n"),
            files(
                numbering: "country_code = \"44\"\n[classes]\nlocal = [\"0800\"]\nnational = [\"0\"]\n",
                acme: trunk("allow = [\"local\"]")),
            files(numbering: "country_code = \"1\"\n[emergency]\nnumbers = []\n", acme: trunk("e164 = true")),
            // No country code: every + number is international. Emergency numbers may be prefixes of
            // each other (each is matched whole), and a gateway may take them all at one address.
            files(
                numbering: "[emergency]\nnumbers = [\"99\", \"999\"]\ngateway = \"sip:psap@e.example\"\n",
                acme: trunk("e164 = true")),
        ])
    func valid(_ files: [String: String]) throws {
        #expect(try diagnostics(of: files) == [])
    }

    @Test("without a country code + numbers are international; a gateway without {number} takes every emergency call")
    func withoutCountryCode() throws {
        let numbering = "[emergency]\nnumbers = [\"99\", \"999\"]\ngateway = \"sip:psap@e.example\"\n"
        let plan = try loadPlan(files(numbering: numbering, acme: trunk("e164 = true"))).get()
        let caller = try #require(plan.caller(fromHost: "acme.example"))
        #expect(plan.dial("99", as: caller).contact == "sip:psap@e.example")
        #expect(plan.dial("999", as: caller).contact == "sip:psap@e.example")
        #expect(plan.dial("9999", as: caller).contact == "sip:psap@e.example")
        let plus = plan.dial("+442079460000", as: caller)
        #expect(plus.outcome == .forbidden(.callClassBarred))
        #expect(
            plus.reason
                == "+442079460000 is international (numbering.toml sets no country_code); trunk 9 of Acme Corp allows local")
    }

    @Test("switchd check's summary counts emergency numbers and classes, local and international included")
    func summary() throws {
        let plan = try loadPlan(files(acme: trunk(""))).get()
        #expect(plan.summary.description == "1 customer, 0 groups, 0 extensions, 1 trunk, 2 emergency numbers, 5 call classes")
        let without = try loadPlan(files(numbering: nil, acme: trunk(""))).get()
        #expect(without.summary.description == "1 customer, 0 groups, 0 extensions, 1 trunk")
    }
}
