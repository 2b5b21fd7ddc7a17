// `switchd route`: the decision as two lines of text or one line of JSON; exit 0 whatever the decision,
// 1 for an invalid configuration or bad arguments.
import Foundation
import Testing

@Suite("switchd route")
struct RouteCommandTests {
    @Test(
        "text output: the status line, then the reason",
        arguments: [
            (
                ["--from", "sip:201@acme.example", "--source", "10.1.0.5", "72100"],
                "302 sip:100@pbx.globex.example\naccess code 72 is Globex; 100 is Globex's extension (range 100-299)\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "71201"],
                "302 sip:201@10.1.0.21:5060\naccess code 71 is Acme Corp; 201 is Acme Corp's extension\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "9555"],
                "302 sip:555@gw.globex.example\n9 is Globex's trunk; 555 goes out through its gateway\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "719"],
                "403 Trunk Of Another Customer\naccess code 71 is Acme Corp; 9 is Acme Corp's trunk\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "4000"],
                "404 Not Found\n4000 is no extension, trunk or group access code Globex can dial\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "72"],
                "484 Address Incomplete\n72 is the start of a longer number Globex can dial\n"
            ),
            (
                ["--from", "sip:201@acme.example", "201"],
                "401 Unauthorized\nno source address was given and the request carries no valid credentials of Acme Corp\n"
            ),
            (
                ["--from", "sip:201@acme.example", "--source", "192.0.2.1", "201"],
                "401 Unauthorized\n192.0.2.1 is outside Acme Corp's networks and the request carries no valid credentials of Acme Corp\n"
            ),
            (
                ["--from", "sip:201@acme.example", "--source", "192.0.2.1", "--authenticated", "201"],
                "302 sip:201@10.1.0.21:5060\n201 is an extension of Acme Corp\n"
            ),
            (
                ["--from", "sip:x@nowhere.example", "--authenticated", "201"],
                "401 Unauthorized\nnowhere.example is no customer's domain, so no credentials can be valid\n"
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "--ruri-host", "acme.example", "71201"],
                "403 Domain Of Another Customer\nacme.example is Acme Corp's domain; Globex cannot call into it directly\n"
            ),
            // The dialled digits are decoded as on the wire: %-escapes, and user parameters after ';' left out.
            (
                ["--from", "sip:100@globex.example", "--authenticated", "%37%31201;phone-context=x"],
                "302 sip:201@10.1.0.21:5060\naccess code 71 is Acme Corp; 201 is Acme Corp's extension\n"
            ),
            // From URI spellings: angle brackets, port and parameters, sips:, upper case, a bare host.
            (
                ["--from", "<sip:100@GLOBEX.example:5060;transport=udp>", "--authenticated", "150"],
                "302 sip:150@pbx.globex.example\n150 is in Globex's extension range 100-299\n"
            ),
            (
                ["--from", "sips:100@globex.example", "--authenticated", "150"],
                "302 sip:150@pbx.globex.example\n150 is in Globex's extension range 100-299\n"
            ),
            (
                ["--from", "globex.example", "--authenticated", "150"],
                "302 sip:150@pbx.globex.example\n150 is in Globex's extension range 100-299\n"
            ),
        ])
    func text(_ arguments: [String], _ expected: String) throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["route", "--conf", conf] + arguments)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == expected)
            #expect(result.stderr == "")
        }
    }

    @Test(
        "--json: one object on one line, contact only for 302, strings escaped",
        arguments: [
            (
                ["--from", "sip:100@globex.example", "--authenticated", "71201"],
                #"{"status":302,"contact":"sip:201@10.1.0.21:5060","reason":"access code 71 is Acme Corp; 201 is Acme Corp's extension"}"#
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "719"],
                #"{"status":403,"reason":"access code 71 is Acme Corp; 9 is Acme Corp's trunk"}"#
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "4000"],
                #"{"status":404,"reason":"4000 is no extension, trunk or group access code Globex can dial"}"#
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "7"],
                #"{"status":484,"reason":"7 is the start of a longer number Globex can dial"}"#
            ),
            (
                ["--from", "sip:100@globex.example", "--authenticated", "20a"],
                #"{"status":404,"reason":"\"20a\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)"}"#
            ),
        ])
    func json(_ arguments: [String], _ expected: String) throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["route", "--conf", conf, "--json"] + arguments)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == expected + "\n")
            #expect(result.stderr == "")
            // And it is JSON indeed.
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(object?["status"] != nil)
        }
    }

    @Test("an invalid configuration: exit 1, the problems on stderr, no decision")
    func invalidConf() throws {
        var files = cliConf
        files["customers/initech.toml"] = "name = \"Initech\"\ncm = 0\ndomains = [\"initech.example\"]\n"
        try withConf(files) { conf in
            let result = try Switchd.run(["route", "--conf", conf, "--from", "sip:100@globex.example", "--authenticated", "150"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            #expect(result.stderr == "\(conf)/customers/initech.toml: error: cm must be an integer >= 1, not 0\n1 error\n")
        }
    }

    @Test(
        "bad arguments: exit 1 with a message on stderr",
        arguments: [
            ["--from", "sip:100@globex.example"],  // no digits
            ["150"],  // no --from
            ["--from", "sip:100@", "150"],  // --from without a host
            ["--from", "sip:100@globex.example", "--authenticated", "--source", "10.1.2", "150"],  // --source not an address
            ["--from", "sip:100@globex.example", "--authenticated", "--bogus", "150"],  // unknown option
        ])
    func badArguments(_ arguments: [String]) throws {
        try withConf(cliConf) { conf in
            let result = try Switchd.run(["route", "--conf", conf] + arguments)
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("Error: "), "\(result)")
            // The issue: "Exit 0 whatever the decision; 1 for an invalid conf or bad arguments."
            #expect(result.status == 1, "\(result)")
            #expect(result.status != 0)
        }
    }
}
