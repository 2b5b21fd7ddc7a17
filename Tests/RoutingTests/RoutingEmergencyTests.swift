// Emergency numbers: decided first, bare, after a trunk code or the own access code, whatever the
// classes and the Request-URI host; never 404 or 484.
import Testing

@testable import Config
@testable import Routing

private let gateway = "emergency-gw.example"
private let bare = "is an emergency number; it goes to the emergency gateway"

@Suite("Routing: emergency numbers")
struct RoutingEmergencyTests {
    @Test(
        "an emergency number reaches the emergency gateway from every caller, however it is dialled",
        arguments: [
            CallCase("acme.example", "999", .redirect("sip:999@\(gateway)", "999 \(bare)")),
            CallCase("acme.example", "112", .redirect("sip:112@\(gateway)", "112 \(bare)")),
            CallCase("acme.example", "9999", .redirect("sip:999@\(gateway)", "999 after trunk 9 \(bare)")),
            CallCase("acme.example", "9112", .redirect("sip:112@\(gateway)", "112 after trunk 9 \(bare)")),
            CallCase("acme.example", "71999", .redirect("sip:999@\(gateway)", "999 \(bare)")),
            CallCase("acme.example", "7171112", .redirect("sip:112@\(gateway)", "112 \(bare)")),
            CallCase("acme.example", "719999", .redirect("sip:999@\(gateway)", "999 after trunk 9 \(bare)")),
            CallCase("globex.example", "72112", .redirect("sip:112@\(gateway)", "112 \(bare)")),
            // Initech's trunk allows no class at all: emergency numbers still get through.
            CallCase("initech.example", "999", .redirect("sip:999@\(gateway)", "999 \(bare)")),
            CallCase("initech.example", "0112", .redirect("sip:112@\(gateway)", "112 after trunk 0 \(bare)")),
            // An unknown user, or none, changes nothing.
            CallCase("acme.example", user: nil, "999", .redirect("sip:999@\(gateway)", "999 \(bare)")),
            // Whatever the Request-URI host, even another customer's domain.
            CallCase("acme.example", "999", ruriHost: "globex.example", .redirect("sip:999@\(gateway)", "999 \(bare)")),
            CallCase(
                "acme.example", "9112", ruriHost: "globex.example", .redirect("sip:112@\(gateway)", "112 after trunk 9 \(bare)")),
        ])
    func emergency(_ call: CallCase) {
        let decision = call.route(numberingPlan)
        #expect(summary(decision) == call.expect.description)
        #expect(decision.isEmergency)
        #expect(decision.reachedExtension == nil)
    }

    @Test(
        "rule 4 covers them like any 302; the rules around them are unchanged",
        arguments: [
            // Proper prefixes of an emergency number that no other rule routes.
            CallCase("acme.example", "11", .incomplete("11 is the start of a longer number Acme Corp can dial")),
            CallCase("acme.example", "1", .incomplete("1 is the start of a longer number Acme Corp can dial")),
            CallCase("acme.example", "7111", .incomplete("7111 is the start of a longer number Acme Corp can dial")),
            CallCase("initech.example", "99", .incomplete("99 is the start of a longer number Initech can dial")),
            // A trunk code alone.
            CallCase("acme.example", "9", .incomplete("9 is the start of a longer number Acme Corp can dial")),
            // Routed by rule 2: 99 is trunk 9's call to 9 (local).
            CallCase(
                "acme.example", "99",
                .redirect(
                    "sip:9@gw.acme.example",
                    "9 is Acme Corp's trunk; 9 goes out through its gateway (9 matches no class prefix, so it is local; trunk 9 of Acme Corp allows local, national, mobile)"
                )),
            // Longer than an emergency number: no longer one (999 is 9 + 99, a trunk call).
            CallCase(
                "acme.example", "99990",
                .redirect(
                    "sip:9990@gw.acme.example",
                    "9 is Acme Corp's trunk; 9990 goes out through its gateway (9990 matches no class prefix, so it is local; trunk 9 of Acme Corp allows local, national, mobile)"
                )),
            CallCase("acme.example", "1120", .notFound("1120 is no extension, trunk or group access code Acme Corp can dial")),
            // Another customer's access code is not transparent: 71 + 9... is Acme's trunk, refused.
            CallCase("globex.example", "71999", .forbidden("access code 71 is Acme Corp; 9 is Acme Corp's trunk")),
            // Another customer's domain still refuses what is not an emergency call.
            CallCase(
                "acme.example", "201", ruriHost: "globex.example",
                .forbidden("globex.example is Globex's domain; Acme Corp cannot call into it directly")),
        ])
    func aroundEmergency(_ call: CallCase) {
        let decision = call.route(numberingPlan)
        #expect(summary(decision) == call.expect.description)
        #expect(!decision.isEmergency)
    }

    @Test(
        "trunk 9 beside emergency 911 (the US pair): 911 and 9 911 are emergency calls, 91 is trunk 9's call to 1",
        arguments: [
            CallCase("acme.example", "911", .redirect("sip:911@psap.example", "911 \(bare)")),
            CallCase("acme.example", "9911", .redirect("sip:911@psap.example", "911 after trunk 9 \(bare)")),
            CallCase(
                "acme.example", "91",
                .redirect(
                    "sip:1@gw.acme.example",
                    "9 is Acme Corp's trunk; 1 goes out through its gateway (1 is national; trunk 9 of Acme Corp allows local, national)"
                )),
            CallCase("acme.example", "9", .incomplete("9 is the start of a longer number Acme Corp can dial")),
            CallCase(
                "acme.example", "9011441234",
                .forbidden("011 is international; trunk 9 of Acme Corp allows local, national")),
        ])
    func usPair(_ call: CallCase) {
        #expect(summary(call.route(usPlan)) == call.expect.description)
    }

    @Test("a + number is never an emergency call")
    func plusIsNotEmergency() {
        let decision = CallCase("acme.example", "+999", .forbidden("")).route(numberingPlan)
        #expect(!decision.isEmergency)
        #expect(decision.status == 403)
        #expect(
            decision.reason
                == "+999 is international (its country code is not +44); trunk 9 of Acme Corp allows local, national, mobile")
    }
}
