// Ranges are stored as blocks, not expanded: check every number of a range's length against the
// inclusive bounds, so that the decomposition into blocks loses or adds no number.
import Testing
@testable import Config
@testable import Routing

@Suite("Routing: extension ranges, number by number")
struct RoutingRangeTests {
    @Test("every number of the range's length is in or out exactly as its bounds say", arguments: [
        ("100", "199"), ("150", "249"), ("099", "100"), ("000", "999"), ("123", "123"), ("0", "9"), ("5", "5"),
        ("05", "94"), ("10", "19"), ("001", "998"), ("100", "105"), ("0990", "1010"), ("2500", "2799"),
    ])
    func everyNumber(_ low: String, _ high: String) throws {
        let plan = try loadPlan([
            "customers/acme.toml": """
                name = "Acme"
                cm = 1
                domains = ["acme.example"]
                [extensions]
                "\(low)-\(high)" = "sip:{ext}@pbx.acme.example"
                """,
        ]).get()
        let width = low.count
        var mismatches: [String] = []
        for value in 0..<Int(String(repeating: "9", count: width))! + 1 {
            let number = String(repeating: "0", count: width - String(value).count) + String(value)
            let decision = plan.dial(number, fromHost: "acme.example")
            let inside = low <= number && number <= high
            let expected = inside ? "302 sip:\(number)@pbx.acme.example" : "404"
            let actual = decision.status == 302 ? "302 \(decision.contact ?? "")" : "\(decision.status)"
            if actual != expected { mismatches.append("\(number): \(actual), expected \(expected)") }
        }
        #expect(mismatches == [])
        // One digit more than a range member is never a number of the range.
        #expect(plan.dial(low + "0", fromHost: "acme.example").status == 404)
    }

    @Test("prefixes of range members are 484, other prefixes 404", arguments: [
        ("150", "249", ["1": 484, "14": 404, "15": 484, "19": 484, "2": 484, "24": 484, "25": 404, "3": 404, "0": 404]),
        ("0990", "1010", ["0": 484, "09": 484, "098": 404, "099": 484, "1": 484, "10": 484, "101": 484, "102": 404, "11": 404]),
        ("100", "105", ["1": 484, "10": 484, "11": 404, "2": 404]),
    ] as [(String, String, [String: Int])])
    func prefixes(_ low: String, _ high: String, _ expected: [String: Int]) throws {
        let plan = try loadPlan([
            "customers/acme.toml": """
                name = "Acme"
                cm = 1
                domains = ["acme.example"]
                [extensions]
                "\(low)-\(high)" = "sip:{ext}@pbx.acme.example"
                """,
        ]).get()
        for (dialled, status) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(plan.dial(dialled, fromHost: "acme.example").status == status, "dialled \(dialled)")
        }
    }

    @Test("overrides at the edges of a range replace exactly their own number")
    func overridesAtEdges() throws {
        let plan = try loadPlan([
            "customers/acme.toml": """
                name = "Acme"
                cm = 1
                domains = ["acme.example"]
                [extensions]
                "150-249" = "sip:{ext}@pbx.acme.example"
                "150" = "sip:first@acme.example"
                "199" = "sip:middle@acme.example"
                "200" = "sip:next@acme.example"
                "249" = "sip:last@acme.example"
                """,
        ]).get()
        let cases = [
            ("149", "404 -"), ("150", "302 sip:first@acme.example"), ("151", "302 sip:151@pbx.acme.example"),
            ("198", "302 sip:198@pbx.acme.example"), ("199", "302 sip:middle@acme.example"), ("200", "302 sip:next@acme.example"),
            ("201", "302 sip:201@pbx.acme.example"), ("248", "302 sip:248@pbx.acme.example"), ("249", "302 sip:last@acme.example"),
            ("250", "404 -"),
        ]
        for (dialled, expected) in cases {
            let decision = plan.dial(dialled, fromHost: "acme.example")
            #expect("\(decision.status) \(decision.contact ?? "-")" == expected, "dialled \(dialled)")
        }
        #expect(plan.summary.extensions == 100)
    }
}
