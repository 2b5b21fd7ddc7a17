// Rules 1, 2, 4 and 5 for the caller's own dial plan: its extensions, ranges, overrides and trunks.
import Testing

@testable import Config
@testable import Routing

@Suite("Routing: the caller's own extensions and trunks")
struct RoutingOwnNumbersTests {
    @Test(
        "rule 1: an extension, a range member and an override redirect to their contacts",
        arguments: [
            Dial("acme.example", "201", .redirect("sip:201@10.1.0.21:5060", "201 is an extension of Acme Corp")),
            Dial("acme.example", "*97", .redirect("sip:voicemail@vm.acme.example", "*97 is an extension of Acme Corp")),
            Dial("acme.example", "100", .redirect("sip:100@pbx.acme.example", "100 is in Acme Corp's extension range 100-199")),
            Dial("acme.example", "123", .redirect("sip:123@pbx.acme.example", "123 is in Acme Corp's extension range 100-199")),
            Dial("acme.example", "199", .redirect("sip:199@pbx.acme.example", "199 is in Acme Corp's extension range 100-199")),
            // The explicit "150" overrides the range for that one number, and only for it.
            Dial("acme.example", "150", .redirect("sip:ceo@10.1.0.50:5060", "150 is an extension of Acme Corp")),
            Dial("acme.example", "151", .redirect("sip:151@pbx.acme.example", "151 is in Acme Corp's extension range 100-199")),
            Dial("acme.example", "149", .redirect("sip:149@pbx.acme.example", "149 is in Acme Corp's extension range 100-199")),
            Dial("globex.example", "299", .redirect("sip:299@pbx.globex.example", "299 is in Globex's extension range 100-299")),
            Dial("globex.example", "300", .redirect("sip:conference@media.globex.example", "300 is an extension of Globex")),
            Dial("umbrella.example", "65", .redirect("sip:65@pbx.umbrella.example", "65 is in Umbrella's extension range 60-69")),
        ])
    func extensions(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "rule 2: a trunk code followed by a number goes to the gateway with {number} replaced",
        arguments: [
            Dial(
                "acme.example", "90123456",
                .redirect(
                    "sip:0123456@gw.acme.example", "9 is Acme Corp's trunk; 0123456 goes out through its gateway")),
            Dial(
                "acme.example", "91", .redirect("sip:1@gw.acme.example", "9 is Acme Corp's trunk; 1 goes out through its gateway")
            ),
            Dial(
                "acme.example", "0049301234",
                .redirect(
                    "sips:+49301234@intl.acme.example:5061", "00 is Acme Corp's trunk; 49301234 goes out through its gateway")),
            Dial(
                "initech.example", "0800123",
                .redirect(
                    "sip:800123@gw.initech.example", "0 is Initech's trunk; 800123 goes out through its gateway")),
        ])
    func trunks(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "rule 4: a trunk code alone and proper prefixes of own numbers are incomplete (484)",
        arguments: [
            // Trunk codes alone: the number after them is still to come.
            Dial("acme.example", "9", .incomplete("9 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "00", .incomplete("00 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "0", .incomplete("0 is the start of a longer number Acme Corp can dial")),
            // Proper prefixes of an extension.
            Dial("acme.example", "2", .incomplete("2 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "20", .incomplete("20 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "*", .incomplete("* is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "*9", .incomplete("*9 is the start of a longer number Acme Corp can dial")),
            // Proper prefixes of range members (and of the override inside the range).
            Dial("acme.example", "1", .incomplete("1 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "15", .incomplete("15 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "19", .incomplete("19 is the start of a longer number Acme Corp can dial")),
            Dial("initech.example", "40", .incomplete("40 is the start of a longer number Initech can dial")),
            Dial("initech.example", "409", .incomplete("409 is the start of a longer number Initech can dial")),
        ])
    func incomplete(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "rule 5: anything else is 404",
        arguments: [
            Dial("acme.example", "202", .notFound("202 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "2011", .notFound("2011 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "1000", .notFound("1000 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "1500", .notFound("1500 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "3", .notFound("3 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "*98", .notFound("*98 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "#", .notFound("# is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "01", .notFound("01 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("initech.example", "4100", .notFound("4100 is no extension, trunk or group access code Initech can dial")),
            Dial("initech.example", "1", .notFound("1 is no extension, trunk or group access code Initech can dial")),
            Dial("umbrella.example", "70", .notFound("70 is no extension, trunk or group access code Umbrella can dial")),
        ])
    func notFound(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "characters that cannot be dialled are 404",
        arguments: ["20a", "+20a", "+", "++201", " 201", "201 ", "9-123", "1.5", "２０１"])
    func notDialable(_ dialled: String) {
        let decision = route(from: "acme.example", dialled)
        #expect(decision.status == 404)
        #expect(decision.contact == nil)
        #expect(decision.reason == "\"\(dialled)\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)")
        #expect(decision.outcome == .notFound)
    }

    @Test("a decision names the calling customer and carries the redirect as its outcome")
    func callerAndOutcome() {
        let decision = route(from: "acme.example", "201")
        #expect(decision.callerID == "acme")
        #expect(decision.outcome == .redirect(contact: "sip:201@10.1.0.21:5060"))
        #expect(route(from: "acme.example", "9").outcome == .addressIncomplete)
        #expect(route(from: "acme.example", "202").callerID == "acme")
    }
}
