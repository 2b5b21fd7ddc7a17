// Keys of one customer or group file: wrong types, missing required keys, out-of-range values.
import Testing

@testable import Config
@testable import Routing

private let acmeFile = "CONF/customers/acme.toml"

@Suite("Validation: types and required keys")
struct ValidationKeyTests {
    @Test(
        "a value of the wrong type names the key, what it must be and what it is",
        arguments: [
            ValidationCase(
                "access_code as an integer", acme: validCustomer + "access_code = 71\n",
                [
                    "\(acmeFile): error: access_code must be a quoted string of digits, e.g. \"071\", not an integer"
                ]),
            ValidationCase(
                "cm as a string", acme: "name = \"Acme Corp\"\ncm = \"3\"\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: cm must be an integer >= 1, e.g. cm = 3, not a string"
                ]),
            ValidationCase(
                "name as an integer", acme: "name = 5\ncm = 3\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: name must be a quoted string, not an integer"
                ]),
            ValidationCase(
                "domains as a string", acme: "name = \"Acme Corp\"\ncm = 3\ndomains = \"acme.example\"\n",
                [
                    "\(acmeFile): error: domains must be an array of quoted domain names, e.g. [\"acme.example\"], not a string"
                ]),
            ValidationCase(
                "a network as an integer", acme: validCustomer + "networks = [\"10.0.0.0/8\", 5]\n",
                [
                    "\(acmeFile): error: networks[1] must be a quoted string, not an integer"
                ]),
            ValidationCase(
                "group as a boolean", acme: validCustomer + "access_code = \"71\"\ngroup = true\n",
                [
                    "\(acmeFile): error: group must be the quoted id of a file in groups/, e.g. \"harbor\", not a boolean"
                ]),
            ValidationCase(
                "an extension's contact as an integer", acme: validCustomer + "[extensions]\n\"201\" = 201\n",
                [
                    "\(acmeFile): error: extensions.201 must be a quoted sip: URI, e.g. \"sip:201@10.1.0.21:5060\", or \"registered\", not an integer"
                ]),
            ValidationCase(
                "extensions as a string", acme: validCustomer + "extensions = \"201\"\n",
                [
                    "\(acmeFile): error: extensions must be a table of extension = \"contact URI\" entries, not a string"
                ]),
            ValidationCase(
                "a gateway as an array", acme: validCustomer + "[trunks.\"9\"]\ngateway = [\"sip:{number}@gw.example\"]\n",
                [
                    "\(acmeFile): error: trunks.9.gateway must be a quoted sip: URI, not an array"
                ]),
            ValidationCase(
                "a group's name as an integer",
                files: ["groups/harbor.toml": "name = 1\n", "customers/acme.toml": validCustomer],
                [
                    "CONF/groups/harbor.toml: error: name must be a quoted string, not an integer"
                ]),
        ])
    func wrongTypes(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test(
        "a missing required key is named, with an example",
        arguments: [
            ValidationCase(
                "name", acme: "cm = 3\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: missing required key name (the customer's display name, e.g. name = \"Acme Corp\")"
                ]),
            ValidationCase(
                "cm", acme: "name = \"Acme Corp\"\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: missing required key cm (the call manager number, an integer >= 1, e.g. cm = 3)"
                ]),
            ValidationCase(
                "domains", acme: "name = \"Acme Corp\"\ncm = 3\n",
                [
                    "\(acmeFile): error: missing required key domains (the SIP domains of this customer's callers, e.g. domains = [\"acme.example\"])"
                ]),
            ValidationCase(
                "access_code when group is set",
                files: [
                    "groups/harbor.toml": "name = \"Harbor\"\n", "customers/acme.toml": validCustomer + "group = \"harbor\"\n",
                ],
                [
                    "\(acmeFile): error: missing required key access_code: a customer in a group needs one, e.g. access_code = \"71\""
                ]),
            ValidationCase(
                "a group's name", files: ["groups/harbor.toml": "# no name\n", "customers/acme.toml": validCustomer],
                [
                    "CONF/groups/harbor.toml: error: missing required key name (the group's display name, e.g. name = \"Harbor Holdings\")"
                ]),
            ValidationCase(
                "every missing key of one file at once", acme: "# empty\n",
                [
                    "\(acmeFile): error: missing required key name (the customer's display name, e.g. name = \"Acme Corp\")",
                    "\(acmeFile): error: missing required key cm (the call manager number, an integer >= 1, e.g. cm = 3)",
                    "\(acmeFile): error: missing required key domains (the SIP domains of this customer's callers, e.g. domains = [\"acme.example\"])",
                ]),
        ])
    func missingKeys(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }

    @Test("a customer without a group needs no access code")
    func accessCodeOptionalOutsideGroups() throws {
        #expect(try diagnostics(of: ["customers/acme.toml": validCustomer]) == [])
    }

    @Test(
        "values out of range",
        arguments: [
            ValidationCase(
                "cm = 0", acme: "name = \"Acme Corp\"\ncm = 0\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: cm must be an integer >= 1, not 0"
                ]),
            ValidationCase(
                "cm = -2", acme: "name = \"Acme Corp\"\ncm = -2\ndomains = [\"acme.example\"]\n",
                [
                    "\(acmeFile): error: cm must be an integer >= 1, not -2"
                ]),
            ValidationCase(
                "empty domains", acme: "name = \"Acme Corp\"\ncm = 3\ndomains = []\n",
                [
                    "\(acmeFile): error: domains must not be empty: list at least one SIP domain"
                ]),
            ValidationCase(
                "a domain with a space", acme: "name = \"Acme Corp\"\ncm = 3\ndomains = [\"acme example\"]\n",
                [
                    "\(acmeFile): error: domains: \"acme example\" is not a valid domain name"
                ]),
            ValidationCase(
                "access code with a letter", acme: validCustomer + "access_code = \"7a\"\n",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"7a\""
                ]),
            ValidationCase(
                "access code of 7 digits", acme: validCustomer + "access_code = \"1234567\"\n",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"1234567\""
                ]),
            ValidationCase(
                "empty access code", acme: validCustomer + "access_code = \"\"\n",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"\""
                ]),
            ValidationCase(
                "access code with a star", acme: validCustomer + "access_code = \"*7\"\n",
                [
                    "\(acmeFile): error: access_code must be 1 to 6 digits, e.g. \"071\", not \"*7\""
                ]),
        ])
    func values(_ testCase: ValidationCase) throws {
        try expectDiagnostics(testCase)
    }
}
