// Outbound call classes (403 Call Class Barred, the longest prefix wins, per-extension overrides) and
// E.164 numbers over the customer's e164 trunk.
import Testing

@testable import Config
@testable import Routing

private let acmeTrunk = "trunk 9 of Acme Corp allows local, national, mobile"
private let reception = "extension 201 of Acme Corp allows local, national, mobile, international"

private func acme(_ number: String, _ classes: String) -> Expect {
    .redirect("sip:\(number)@gw.acme.example", "9 is Acme Corp's trunk; \(number) goes out through its gateway (\(classes))")
}

@Suite("Routing: call classes and E.164 numbers")
struct RoutingClassTests {
    @Test(
        "a trunk call whose class the caller may not call is 403 Call Class Barred, naming the class and the prefix",
        arguments: [
            CallCase("acme.example", "900442079460000", .forbidden("00 is international; \(acmeTrunk)")),
            CallCase("acme.example", "909012345", .forbidden("09 is premium; \(acmeTrunk)")),
            CallCase("acme.example", "908712345", .forbidden("0871 is premium; \(acmeTrunk)")),
            CallCase("acme.example", "71900441234", .forbidden("00 is international; \(acmeTrunk)")),
            // The extension's [outbound] replaces the trunk's classes, and only for that extension.
            CallCase("acme.example", user: "201", "909012345", .forbidden("09 is premium; \(reception)")),
            CallCase("acme.example", user: "2010", "900441234", .forbidden("00 is international; \(acmeTrunk)")),
            CallCase("acme.example", user: nil, "900441234", .forbidden("00 is international; \(acmeTrunk)")),
            // Without allow: every class but international and premium (in class order).
            CallCase(
                "globex.example", "900441234",
                .forbidden("00 is international; trunk 9 of Globex allows local, mobile, national")),
            CallCase(
                "globex.example", "90871123", .forbidden("0871 is premium; trunk 9 of Globex allows local, mobile, national")),
            // allow = [] bars every class.
            CallCase(
                "initech.example", "002079460000", .forbidden("02 is national; trunk 0 of Initech allows no class")),
            CallCase(
                "initech.example", "0123",
                .forbidden("123 matches no class prefix, so it is local; trunk 0 of Initech allows no class")),
        ])
    func barred(_ call: CallCase) {
        let decision = call.route(numberingPlan)
        #expect(summary(decision) == call.expect.description)
        #expect(decision.outcome == .forbidden(.callClassBarred))
    }

    @Test(
        "an allowed class goes out through the trunk, and the reason says why it was allowed",
        arguments: [
            CallCase("acme.example", "902079460000", acme("02079460000", "02 is national; \(acmeTrunk)")),
            CallCase("acme.example", "907700900123", acme("07700900123", "07 is mobile; \(acmeTrunk)")),
            CallCase(
                "acme.example", "95551234", acme("5551234", "5551234 matches no class prefix, so it is local; \(acmeTrunk)")),
            // 08 is no prefix (0871 is): the longest matching prefix decides, and there is none.
            CallCase(
                "acme.example", "908001234", acme("08001234", "08001234 matches no class prefix, so it is local; \(acmeTrunk)")),
            CallCase("acme.example", user: "201", "900442079460000", acme("00442079460000", "00 is international; \(reception)")),
            CallCase(
                "acme.example", "7195551234", acme("5551234", "5551234 matches no class prefix, so it is local; \(acmeTrunk)")),
            CallCase(
                "globex.example", "907700900123",
                .redirect(
                    "sip:07700900123@gw.globex.example",
                    "9 is Globex's trunk; 07700900123 goes out through its gateway (07 is mobile; trunk 9 of Globex allows local, mobile, national)"
                )),
        ])
    func allowed(_ call: CallCase) {
        #expect(summary(call.route(numberingPlan)) == call.expect.description)
    }

    @Test(
        "a + number goes over the e164 trunk with {number} = the + number; its class by the national reading",
        arguments: [
            CallCase(
                "acme.example", "+442079460000",
                .redirect(
                    "sip:+442079460000@gw.acme.example",
                    "+442079460000 goes out through Acme Corp's E.164 trunk 9 (+442079460000 reads 02079460000 in the national plan: 02 is national; \(acmeTrunk))"
                )),
            CallCase(
                "acme.example", "+4455",
                .redirect(
                    "sip:+4455@gw.acme.example",
                    "+4455 goes out through Acme Corp's E.164 trunk 9 (+4455 reads 055 in the national plan: 055 matches no class prefix, so it is local; \(acmeTrunk))"
                )),
            CallCase(
                "acme.example", "+449012345",
                .forbidden("+449012345 reads 09012345 in the national plan: 09 is premium; \(acmeTrunk)")),
            CallCase(
                "acme.example", "+12125550100",
                .forbidden("+12125550100 is international (its country code is not +44); \(acmeTrunk)")),
            CallCase(
                "acme.example", user: "201", "+12125550100",
                .redirect(
                    "sip:+12125550100@gw.acme.example",
                    "+12125550100 goes out through Acme Corp's E.164 trunk 9 (+12125550100 is international (its country code is not +44); \(reception))"
                )),
            // The country code alone is still a + number of this country: national prefix only, local.
            CallCase(
                "acme.example", "+44",
                .redirect(
                    "sip:+44@gw.acme.example",
                    "+44 goes out through Acme Corp's E.164 trunk 9 (+44 reads 0 in the national plan: 0 matches no class prefix, so it is local; \(acmeTrunk))"
                )),
            CallCase(
                "globex.example", "+442079460000",
                .notFound("+442079460000 is an E.164 number, and Globex has no trunk with e164 = true")),
            CallCase(
                "acme.example", "+44-20",
                .notFound("\"+44-20\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)")),
            CallCase(
                "acme.example", "+", .notFound("\"+\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)")),
            CallCase(
                "acme.example", "71+4420",
                .notFound("\"71+4420\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)")),
        ])
    func e164(_ call: CallCase) {
        #expect(summary(call.route(numberingPlan)) == call.expect.description)
    }

    @Test("without numbering.toml, trunk reasons say nothing of classes and every number is local")
    func withoutNumbering() {
        let decision = route(from: "acme.example", "90123456")
        #expect(decision.reason == "9 is Acme Corp's trunk; 0123456 goes out through its gateway")
        #expect(decision.status == 302)
        let plus = route(from: "acme.example", "+4420")
        #expect(summary(plus) == "404 - +4420 is an E.164 number, and Acme Corp has no trunk with e164 = true")
    }
}
