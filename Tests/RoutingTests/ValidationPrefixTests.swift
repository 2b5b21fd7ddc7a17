// Prefix conflicts: within what one customer can dial, no string equals or is a prefix of another.
import Testing

@testable import Config
@testable import Routing

private let acmeFile = "CONF/customers/acme.toml"

/// acme (71) and globex (72) in group harbor; `acmeDials` and `globexDials` are appended to their files.
private func harbor(acme acmeDials: String = "", globex globexDials: String = "") -> [String: String] {
    [
        "groups/harbor.toml": "name = \"Harbor\"\n",
        "customers/acme.toml": "name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\ngroup = \"harbor\"\naccess_code = \"71\"\n"
            + acmeDials,
        "customers/globex.toml":
            "name = \"Globex\"\ncm = 3\ndomains = [\"globex.example\"]\ngroup = \"harbor\"\naccess_code = \"72\"\n" + globexDials,
    ]
}

private func solo(_ dials: String) -> [String: String] {
    ["customers/acme.toml": "name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\n" + dials]
}

@Suite("Validation: prefix conflicts")
struct ValidationPrefixTests {
    @Test(
        "an extension equal to, or starting with, a group member's access code",
        arguments: [
            ValidationCase(
                "extension equal to the access code", files: harbor(globex: "[extensions]\n\"71\" = \"sip:71@g.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, access code \"71\" (CONF/customers/acme.toml) and extension \"71\" (CONF/customers/globex.toml) are the same number"
                ]),
            ValidationCase(
                "extension starting with the access code",
                files: harbor(globex: "[extensions]\n\"710\" = \"sip:710@g.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, access code \"71\" (CONF/customers/acme.toml) is a prefix of extension \"710\" (CONF/customers/globex.toml)"
                ]),
            ValidationCase(
                "extension that is a prefix of the access code",
                files: harbor(globex: "[extensions]\n\"7\" = \"sip:7@g.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, extension \"7\" (CONF/customers/globex.toml) is a prefix of access code \"71\" (CONF/customers/acme.toml)"
                ]),
            ValidationCase(
                "range containing numbers that start with the access code",
                files: harbor(globex: "[extensions]\n\"700-799\" = \"sip:{ext}@g.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, access code \"71\" (CONF/customers/acme.toml) is a prefix of extension range \"700-799\" (CONF/customers/globex.toml)"
                ]),
            ValidationCase(
                "trunk code equal to the access code",
                files: harbor(globex: "[trunks.\"71\"]\ngateway = \"sip:{number}@gw.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, access code \"71\" (CONF/customers/acme.toml) and trunk code \"71\" (CONF/customers/globex.toml) are the same number"
                ]),
            ValidationCase(
                "trunk code that is a prefix of the access code",
                files: harbor(globex: "[trunks.\"7\"]\ngateway = \"sip:{number}@gw.example\"\n"),
                [
                    "CONF/customers/globex.toml: error: in what customer globex can dial, trunk code \"7\" (CONF/customers/globex.toml) is a prefix of access code \"71\" (CONF/customers/acme.toml)"
                ]),
        ])
    func accessCodes(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "conflicts among one customer's own extensions and trunks",
        arguments: [
            ValidationCase(
                "trunk code prefix of an extension",
                files: solo(
                    "[extensions]\n\"901\" = \"sip:901@a.example\"\n[trunks.\"9\"]\ngateway = \"sip:{number}@gw.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, trunk code \"9\" (\(acmeFile)) is a prefix of extension \"901\" (\(acmeFile))"
                ]),
            ValidationCase(
                "trunk code equal to an extension",
                files: solo("[extensions]\n\"9\" = \"sip:9@a.example\"\n[trunks.\"9\"]\ngateway = \"sip:{number}@gw.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, trunk code \"9\" (\(acmeFile)) and extension \"9\" (\(acmeFile)) are the same number"
                ]),
            ValidationCase(
                "trunk code inside a range",
                files: solo(
                    "[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n[trunks.\"1\"]\ngateway = \"sip:{number}@gw.example\"\n"
                ),
                [
                    "\(acmeFile): error: in what customer acme can dial, trunk code \"1\" (\(acmeFile)) is a prefix of extension range \"100-199\" (\(acmeFile))"
                ]),
            ValidationCase(
                "two trunk codes",
                files: solo(
                    "[trunks.\"0\"]\ngateway = \"sip:{number}@gw.example\"\n[trunks.\"00\"]\ngateway = \"sip:{number}@intl.example\"\n"
                ),
                [
                    "\(acmeFile): error: in what customer acme can dial, trunk code \"0\" (\(acmeFile)) is a prefix of trunk code \"00\" (\(acmeFile))"
                ]),
            ValidationCase(
                "extension prefix of another",
                files: solo("[extensions]\n\"20\" = \"sip:20@a.example\"\n\"201\" = \"sip:201@a.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension \"20\" (\(acmeFile)) is a prefix of extension \"201\" (\(acmeFile))"
                ]),
            ValidationCase(
                "shorter extension prefix of a range",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"10\" = \"sip:10@a.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension \"10\" (\(acmeFile)) is a prefix of extension range \"100-199\" (\(acmeFile))"
                ]),
            ValidationCase(
                "longer extension starting with a range member",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"1000\" = \"sip:1000@a.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension range \"100-199\" (\(acmeFile)) is a prefix of extension \"1000\" (\(acmeFile))"
                ]),
            ValidationCase(
                "overlapping ranges",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"150-250\" = \"sip:{ext}@b.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension range \"150-250\" (\(acmeFile)) overlaps extension range \"100-199\" (\(acmeFile))"
                ]),
            ValidationCase(
                "a range inside another",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"120-129\" = \"sip:{ext}@b.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension range \"120-129\" (\(acmeFile)) overlaps extension range \"100-199\" (\(acmeFile))"
                ]),
            ValidationCase(
                "a shorter range, prefix of a longer one",
                files: solo("[extensions]\n\"10-19\" = \"sip:{ext}@a.example\"\n\"100-199\" = \"sip:{ext}@b.example\"\n"),
                [
                    "\(acmeFile): error: in what customer acme can dial, extension range \"100-199\" (\(acmeFile)) overlaps extension range \"10-19\" (\(acmeFile))"
                ]),
        ])
    func ownEntries(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "what is not a conflict loads cleanly",
        arguments: [
            ValidationCase(
                "override inside the own range",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"150\" = \"sip:ceo@a.example\"\n"), []),
            ValidationCase(
                "adjacent ranges",
                files: solo("[extensions]\n\"100-149\" = \"sip:{ext}@a.example\"\n\"150-199\" = \"sip:{ext}@b.example\"\n"), []),
            ValidationCase(
                "different lengths, no prefix",
                files: solo(
                    "[extensions]\n\"20\" = \"sip:20@a.example\"\n\"2100\" = \"sip:2100@a.example\"\n\"300-399\" = \"sip:{ext}@a.example\"\n\"4000-4999\" = \"sip:{ext}@a.example\"\n"
                ), []),
            ValidationCase(
                "star codes beside a range",
                files: solo("[extensions]\n\"100-199\" = \"sip:{ext}@a.example\"\n\"1*\" = \"sip:star@a.example\"\n"), []),
            // Another member's extensions are behind its access code: they may repeat the caller's own numbers.
            ValidationCase(
                "same extension in two members",
                files: harbor(
                    acme: "[extensions]\n\"201\" = \"sip:201@a.example\"\n",
                    globex: "[extensions]\n\"201\" = \"sip:201@g.example\"\n"), []),
            // Another member's trunk code does not collide with the caller's own numbers.
            ValidationCase(
                "member trunk equal to own extension",
                files: harbor(
                    acme: "[trunks.\"9\"]\ngateway = \"sip:{number}@gw.example\"\n",
                    globex: "[extensions]\n\"9\" = \"sip:9@g.example\"\n"), []),
        ])
    func noConflict(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test("access codes that are prefixes of each other are reported once, against the group file")
    func accessCodePrefixes() throws {
        let files: [String: String] = [
            "groups/harbor.toml": "name = \"Harbor\"\n",
            "customers/acme.toml":
                "name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\ngroup = \"harbor\"\naccess_code = \"7\"\n",
            "customers/globex.toml":
                "name = \"Globex\"\ncm = 3\ndomains = [\"globex.example\"]\ngroup = \"harbor\"\naccess_code = \"71\"\n",
            "customers/hooli.toml":
                "name = \"Hooli\"\ncm = 3\ndomains = [\"hooli.example\"]\ngroup = \"harbor\"\naccess_code = \"72\"\n",
        ]
        let actual = try diagnostics(of: files)
        #expect(
            actual == [
                "CONF/groups/harbor.toml: error: in group dialling, access code \"7\" (CONF/customers/acme.toml) is a prefix of access code \"72\" (CONF/customers/hooli.toml)",
                "CONF/groups/harbor.toml: error: in group dialling, access code \"7\" (CONF/customers/acme.toml) is a prefix of access code \"71\" (CONF/customers/globex.toml)",
            ])
    }
}
