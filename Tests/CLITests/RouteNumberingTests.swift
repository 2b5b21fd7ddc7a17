// `switchd route` on the sample conf's numbering.toml (North American: emergency 911 beside trunk 9,
// classes by 011, 1900, 1976, 1, 18xx): the class of a trunk number and why it was allowed or barred,
// emergency calls, E.164 and tel: numbers.
import Foundation
import Testing

private let acme202 = ["--from", "sip:202@acme.example", "--source", "127.0.0.1"]
private let acmeTrunk = "trunk 9 of Acme Corp allows local, national, tollfree"

@Suite("switchd route: emergency numbers, call classes, E.164")
struct RouteNumberingTests {
    @Test(
        "text output on the sample conf",
        arguments: [
            (
                acme202 + ["911"],
                "302 sip:911@emergency-gw.example\n911 is an emergency number; it goes to the emergency gateway\n"
            ),
            (
                acme202 + ["9911"],
                "302 sip:911@emergency-gw.example\n911 after trunk 9 is an emergency number; it goes to the emergency gateway\n"
            ),
            (
                acme202 + ["--ruri-host", "globex.example", "71911"],
                "302 sip:911@emergency-gw.example\n911 is an emergency number; it goes to the emergency gateway\n"
            ),
            (
                acme202 + ["91"],
                "302 sip:1@gw.acme.example\n9 is Acme Corp's trunk; 1 goes out through its gateway (1 is national; \(acmeTrunk))\n"
            ),
            (acme202 + ["9011442079460000"], "403 Call Class Barred\n011 is international; \(acmeTrunk)\n"),
            (acme202 + ["919765550100"], "403 Call Class Barred\n1976 is premium; \(acmeTrunk)\n"),
            (
                ["--from", "sip:201@acme.example", "--source", "127.0.0.1", "9011442079460000"],
                "302 sip:011442079460000@gw.acme.example\n9 is Acme Corp's trunk; 011442079460000 goes out through its gateway (011 is international; extension 201 of Acme Corp allows local, national, tollfree, international)\n"
            ),
            (
                acme202 + ["918885550100"],
                "302 sip:18885550100@gw.acme.example\n9 is Acme Corp's trunk; 18885550100 goes out through its gateway (1888 is tollfree; \(acmeTrunk))\n"
            ),
            (
                acme202 + ["tel:+1-212-555-0100;phone-context=+1"],
                "302 sip:+12125550100@gw.acme.example\n+12125550100 goes out through Acme Corp's E.164 trunk 9 (+12125550100 reads 12125550100 in the national plan: 1 is national; \(acmeTrunk))\n"
            ),
            (
                acme202 + ["%2B442079460000"],
                "403 Call Class Barred\n+442079460000 is international (its country code is not +1); \(acmeTrunk)\n"
            ),
            (
                acme202 + ["tel:201;phone-context=acme.example"],
                "302 sip:201@10.1.0.21:5060\n201 is an extension of Acme Corp\n"
            ),
            (
                ["--from", "sip:150@globex.example", "--source", "127.0.0.1", "+12125550100"],
                "404 Not Found\n+12125550100 is an E.164 number, and Globex has no trunk with e164 = true\n"
            ),
            // Untrusted callers are challenged as before, emergency numbers included.
            (
                ["--from", "sip:202@acme.example", "--source", "192.0.2.1", "911"],
                "401 Unauthorized\n192.0.2.1 is outside Acme Corp's networks and the request carries no valid credentials of Acme Corp\n"
            ),
        ])
    func text(_ arguments: [String], _ expected: String) throws {
        let result = try Switchd.run(["route", "--conf", "conf"] + arguments, in: Switchd.packageRoot)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == expected)
        #expect(result.stderr == "")
    }

    @Test("--json: a barred call and an emergency call")
    func json() throws {
        let barred = try Switchd.run(
            ["route", "--conf", "conf", "--json"] + acme202 + ["9011442079460000"], in: Switchd.packageRoot)
        #expect(barred.stdout == #"{"status":403,"reason":"011 is international; \#(acmeTrunk)"}"# + "\n")
        let emergency = try Switchd.run(["route", "--conf", "conf", "--json"] + acme202 + ["911"], in: Switchd.packageRoot)
        #expect(
            emergency.stdout
                == #"{"status":302,"contact":"sip:911@emergency-gw.example","reason":"911 is an emergency number; it goes to the emergency gateway"}"#
                + "\n")
    }
}
