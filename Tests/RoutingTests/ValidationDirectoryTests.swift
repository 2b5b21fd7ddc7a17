// The directory as a whole: all problems of all files in one run, which files are read at all.
import Foundation
import Testing

@testable import Config
@testable import Routing

@Suite("Validation: the configuration directory")
struct ValidationDirectoryTests {
    @Test("every problem of every file is reported in one run, in file order")
    func allProblemsAtOnce() throws {
        let files: [String: String] = [
            "switchd.toml": "[server]\nlisten = [\"sctp:127.0.0.1:5060\"]\n",
            "groups/harbor.toml": "name = 7\n",
            "customers/acme.toml": "name = \"Acme\"\ncm = = 3\n",
            "customers/globex.toml": "name = \"Globex\"\ncm = 0\ndomains = [\"globex.example\"]\ngruop = \"harbor\"\n",
            "customers/hooli.toml":
                "name = \"Hooli\"\ncm = 3\ndomains = [\"hooli.example\"]\naccess_code = 81\nnetworks = [\"10.0.0.1/8\"]\n"
                + "[extensions]\n\"20\" = \"sip:20@h.example\"\n\"201\" = \"http://h.example\"\n\"202\" = \"sip:202@h.example\"\n",
            "customers/initech.toml": "name = \"Initech\"\ncm = 3\ndomains = [\"hooli.example\"]\n",
        ]
        let actual = try diagnostics(of: files)
        #expect(
            actual == [
                "CONF/switchd.toml: error: server.listen: \"sctp:127.0.0.1:5060\" must start with udp:, tcp: or tls:, e.g. \"udp:127.0.0.1:5060\" or \"tls:127.0.0.1:5061\"",
                "CONF/groups/harbor.toml: error: name must be a quoted string, not an integer",
                "CONF/customers/acme.toml:2:6: error: Error while parsing value: could not determine value type",
                "CONF/customers/globex.toml: error: unknown key gruop; did you mean group?",
                "CONF/customers/globex.toml: error: cm must be an integer >= 1, not 0",
                "CONF/customers/hooli.toml: error: access_code must be a quoted string of digits, e.g. \"071\", not an integer",
                "CONF/customers/hooli.toml: error: networks: \"10.0.0.1/8\" has host bits set; did you mean \"10.0.0.0/8\"?",
                "CONF/customers/hooli.toml: error: extensions.201: contact \"http://h.example\" must be a sip: or sips: URI, or \"registered\" for registered phones only",
                "CONF/customers/initech.toml: error: domain \"hooli.example\" is also claimed by CONF/customers/hooli.toml",
                "CONF/customers/hooli.toml: error: in what customer hooli can dial, extension \"20\" (CONF/customers/hooli.toml) is a prefix of extension \"202\" (CONF/customers/hooli.toml)",
            ])
    }

    @Test(
        "editor backups, dot-files and other files are not read",
        arguments: [
            "customers/acme.toml~", "customers/.acme.toml.swp", "customers/#acme.toml#", "customers/.#acme.toml",
            "customers/acme.toml.bak", "customers/.hidden.toml", "customers/README", "groups/harbor.toml~",
            "groups/.harbor.toml.swp",
            "customers/#x#",
        ])
    func ignoredFiles(_ name: String) throws {
        try TempConf.with([
            "groups/harbor.toml": "name = \"Harbor\"\n",
            "customers/acme.toml":
                "name = \"Acme\"\ncm = 3\ndomains = [\"acme.example\"]\ngroup = \"harbor\"\naccess_code = \"71\"\n"
                + "[extensions]\n\"201\" = \"sip:201@a.example\"\n",
            name: "this is = not [valid toml\ngroup = \"nowhere\"\n",
        ]) { conf in
            #expect(conf.diagnostics() == [])
            let plan = try conf.load().get().plan
            #expect(plan.summary.description == "1 customer, 1 group, 1 extension, 0 trunks")
            #expect(plan.customerIDs == ["acme"])
        }
    }

    @Test("switchd.toml may be absent; the default listen address applies")
    func noServerFile() throws {
        try TempConf.with(["customers/acme.toml": validCustomer]) { conf in
            let configuration = try conf.load().get()
            #expect(configuration.server.listen.map(\.description) == ["udp:127.0.0.1:5060"])
        }
    }

    @Test("a missing directory, or one without customers/, is an error")
    func missingDirectories() throws {
        try TempConf.with([:]) { conf in
            #expect(
                conf.diagnostics() == [
                    "\(conf.path)/customers: error: directory not found (it holds one <id>.toml file per customer)"
                ])
            let missing = conf.path + "/nowhere"
            do throws(ConfigError) {
                _ = try ConfigLoader.load(directory: missing)
                Issue.record("loading a missing directory must fail")
            } catch {
                #expect(error.diagnostics.map(\.description) == ["\(missing): error: configuration directory not found"])
            }
        }
    }

    @Test("the summary counts customers, groups, extensions (ranges in full, overrides once) and trunks")
    func summary() throws {
        let plan = try loadPlan(harborFiles).get()
        // acme 100 + 201 + *97; globex 200 + 300; hooli 1; initech 100; umbrella 4100 + 10.
        #expect(plan.summary == PlanSummary(customers: 6, groups: 1, extensions: 415, trunks: 6))
        #expect(plan.summary.description == "6 customers, 1 group, 415 extensions, 6 trunks")
        #expect(plan.customerIDs == ["acme", "globex", "hooli", "initech", "umbrella", "vacant"])
        #expect(plan.customerID(forDomain: "VOICE.acme.example") == "acme")
    }
}
