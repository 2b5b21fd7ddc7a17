// `switchd diff OLD NEW`: blocks of dial strings per customer, exit 0 / 1 / 2, --json.
import Foundation
import Testing

/// cliConf with globex's range cut to 100-199 and acme's trunk 9 sent to another gateway.
private let changedConf: [String: String] = {
    var files = cliConf
    files["customers/globex.toml"] = cliConf["customers/globex.toml"]!.replacingOccurrences(
        of: "\"100-299\"", with: "\"100-199\"")
    files["customers/acme.toml"] = cliConf["customers/acme.toml"]!.replacingOccurrences(
        of: "gw.acme.example", with: "gw2.acme.example")
    return files
}()

/// A change's side read back from the JSON: "status [contacts] reason".
private func decision(_ value: Any?) -> String? {
    guard let object = value as? [String: Any], let status = object["status"] as? Int,
        let contact = object["contact"] as? [String], let reason = object["reason"] as? String,
        object.count == 3
    else { return nil }
    return "\(status) [\(contact.joined(separator: ", "))] \(reason)"
}

@Suite struct DiffCommandTests {
    @Test("the same conf twice: exit 0, no change")
    func same() throws {
        try withConf(cliConf) { old in
            try withConf(cliConf) { new in
                let result = try Switchd.run(["diff", old, new])
                #expect(result.status == 0, "\(result)")
                #expect(result.stdout == "no change\n")
                #expect(result.stderr == "")
            }
        }
    }

    @Test("a cut range and a new gateway: exit 1, one line per block")
    func changes() throws {
        try withConf(cliConf) { old in
            try withConf(changedConf) { new in
                let result = try Switchd.run(["diff", old, new])
                #expect(result.status == 1, "\(result)")
                #expect(
                    result.stdout == """
                        acme: 722: 484 Address Incomplete → 404 Not Found
                        acme: 7220-7229: 484 Address Incomplete → 404 Not Found
                        acme: 72200-72299: 302 sip:{ext}@pbx.globex.example → 404 Not Found
                        acme: 9…: 302 sip:{number}@gw.acme.example → 302 sip:{number}@gw2.acme.example
                        globex: 2: 484 Address Incomplete → 404 Not Found
                        globex: 20-29: 484 Address Incomplete → 404 Not Found
                        globex: 200-299: 302 sip:{ext}@pbx.globex.example → 404 Not Found

                        """, "\(result.stdout)")
                #expect(result.stderr == "")
            }
        }
    }

    @Test("--json: one object with the issue's fields")
    func json() throws {
        try withConf(cliConf) { old in
            try withConf(changedConf) { new in
                let result = try Switchd.run(["diff", "--json", old, new])
                #expect(result.status == 1, "\(result)")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                #expect(
                    Set(object.keys) == ["changes", "customers_added", "customers_removed", "groups_added", "groups_removed"])
                let changes = try #require(object["changes"] as? [[String: Any]])
                let trunk = try #require(changes.first { $0["prefix"] as? String == "9" })
                #expect(trunk["customer"] as? String == "acme")
                #expect(decision(trunk["old"]) == "302 [sip:{number}@gw.acme.example] Moved Temporarily")
                #expect(decision(trunk["new"]) == "302 [sip:{number}@gw2.acme.example] Moved Temporarily")
                let range = try #require(changes.first { $0["first"] as? String == "200" })
                #expect(range["customer"] as? String == "globex")
                #expect(range["last"] as? String == "299")
                #expect(decision(range["new"]) == "404 [] Not Found")
                #expect(range["caller_extension"] == nil)
            }
        }
    }

    @Test("customers and groups added and removed")
    func customersAndGroups() throws {
        var files = cliConf
        files["customers/initech.toml"] = nil
        files["customers/hooli.toml"] =
            "name = \"Hooli\"\ncm = 5\ndomains = [\"hooli.example\"]\ngroup = \"valley\"\naccess_code = \"5\"\n"
        files["groups/valley.toml"] = "name = \"Valley\"\n"
        try withConf(cliConf) { old in
            try withConf(files) { new in
                let result = try Switchd.run(["diff", old, new])
                #expect(result.status == 1, "\(result)")
                #expect(result.stdout == "customer added: hooli\ncustomer removed: initech\ngroup added: valley\n")
                let json = try Switchd.run(["diff", "--json", old, new])
                #expect(
                    json.stdout
                        == #"{"changes":[],"customers_added":["hooli"],"customers_removed":["initech"],"groups_added":["valley"],"groups_removed":[]}"#
                        + "\n")
            }
        }
    }

    @Test("an invalid conf: exit 2 and its errors; wrong arguments: exit 2")
    func invalid() throws {
        var broken = cliConf
        broken["customers/acme.toml"] = cliConf["customers/acme.toml"]! + "\nbroken = [\n"
        try withConf(cliConf) { old in
            try withConf(broken) { new in
                let result = try Switchd.run(["diff", old, new])
                #expect(result.status == 2, "\(result)")
                #expect(result.stdout == "")
                #expect(result.stderr.hasPrefix("\(new)/customers/acme.toml:"), "\(result.stderr)")
                #expect(result.stderr.hasSuffix("1 error\n"), "\(result.stderr)")
            }
            let missing = try Switchd.run(["diff", old])
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.hasPrefix("Error: Missing expected argument '<NEW_DIR>'"), "\(missing.stderr)")
        }
    }
}
