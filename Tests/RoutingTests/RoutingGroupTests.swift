// Rule 3 (group access codes, the 403 for another member's trunk, the caller's own access code)
// and rule 4 for prefixes of access codes.
import Testing

@testable import Config
@testable import Routing

@Suite("Routing: group access codes")
struct RoutingGroupTests {
    @Test(
        "another member's access code + its extension redirects to that member's contact",
        arguments: [
            Dial(
                "acme.example", "72100",
                .redirect(
                    "sip:100@pbx.globex.example", "access code 72 is Globex; 100 is Globex's extension (range 100-299)")),
            Dial(
                "acme.example", "72299",
                .redirect(
                    "sip:299@pbx.globex.example", "access code 72 is Globex; 299 is Globex's extension (range 100-299)")),
            Dial(
                "acme.example", "72300",
                .redirect(
                    "sip:conference@media.globex.example", "access code 72 is Globex; 300 is Globex's extension")),
            Dial("acme.example", "815000", .redirect("sip:5000@10.8.0.1", "access code 81 is Hooli; 5000 is Hooli's extension")),
            Dial(
                "hooli.example", "71201",
                .redirect("sip:201@10.1.0.21:5060", "access code 71 is Acme Corp; 201 is Acme Corp's extension")),
            Dial(
                "hooli.example", "71150",
                .redirect("sip:ceo@10.1.0.50:5060", "access code 71 is Acme Corp; 150 is Acme Corp's extension")),
            Dial(
                "hooli.example", "71151",
                .redirect(
                    "sip:151@pbx.acme.example", "access code 71 is Acme Corp; 151 is Acme Corp's extension (range 100-199)")),
            Dial(
                "hooli.example", "71*97",
                .redirect(
                    "sip:voicemail@vm.acme.example", "access code 71 is Acme Corp; *97 is Acme Corp's extension")),
        ])
    func memberExtension(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "another member's access code + one of its trunk codes is 403, whatever follows",
        arguments: [
            Dial("acme.example", "729", .forbidden("access code 72 is Globex; 9 is Globex's trunk")),
            Dial("acme.example", "7290123456", .forbidden("access code 72 is Globex; 9 is Globex's trunk")),
            Dial("acme.example", "7205", .forbidden("access code 72 is Globex; 05 is Globex's trunk")),
            Dial("acme.example", "72051234", .forbidden("access code 72 is Globex; 05 is Globex's trunk")),
            Dial("hooli.example", "719", .forbidden("access code 71 is Acme Corp; 9 is Acme Corp's trunk")),
            Dial("hooli.example", "7100", .forbidden("access code 71 is Acme Corp; 00 is Acme Corp's trunk")),
            Dial("hooli.example", "710049301234", .forbidden("access code 71 is Acme Corp; 00 is Acme Corp's trunk")),
            // A member without extensions can still not have its trunk seized.
            Dial("acme.example", "739", .forbidden("access code 73 is Vacant; 9 is Vacant's trunk")),
            Dial("acme.example", "739123", .forbidden("access code 73 is Vacant; 9 is Vacant's trunk")),
        ])
    func memberTrunk(_ dial: Dial) {
        let decision = route(from: dial.from, dial.dialled)
        #expect(summary(decision) == dial.expect.description)
        #expect(decision.outcome == .forbidden(.trunkOfAnotherCustomer))
    }

    @Test(
        "the caller's own access code is transparent",
        arguments: [
            Dial("acme.example", "71201", .redirect("sip:201@10.1.0.21:5060", "201 is an extension of Acme Corp")),
            Dial("acme.example", "71150", .redirect("sip:ceo@10.1.0.50:5060", "150 is an extension of Acme Corp")),
            Dial("acme.example", "71123", .redirect("sip:123@pbx.acme.example", "123 is in Acme Corp's extension range 100-199")),
            Dial(
                "acme.example", "719555",
                .redirect("sip:555@gw.acme.example", "9 is Acme Corp's trunk; 555 goes out through its gateway")),
            Dial(
                "acme.example", "710049",
                .redirect(
                    "sips:+49@intl.acme.example:5061", "00 is Acme Corp's trunk; 49 goes out through its gateway")),
            Dial("hooli.example", "815000", .redirect("sip:5000@10.8.0.1", "5000 is an extension of Hooli")),
            // Own code + another member's code + extension: the rest is routed as if dialled alone.
            Dial(
                "acme.example", "7172100",
                .redirect(
                    "sip:100@pbx.globex.example", "access code 72 is Globex; 100 is Globex's extension (range 100-299)")),
            Dial("acme.example", "71729", .forbidden("access code 72 is Globex; 9 is Globex's trunk")),
            Dial("acme.example", "71202", .notFound("71202 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "719", .incomplete("719 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "7120", .incomplete("7120 is the start of a longer number Acme Corp can dial")),
        ])
    func ownAccessCode(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    /// Spec rule 3: "X is C itself: R is routed as if dialled alone". Dialled alone, R = 71201 is Acme's
    /// own code + 201 (302), so 71 + 71201 is 302 too.
    @Test("the own access code is transparent in the rest too: 71 + 71201 is routed as 71201")
    func ownAccessCodeTwice() {
        #expect(summary(route(from: "acme.example", "7171201")) == "302 sip:201@10.1.0.21:5060 201 is an extension of Acme Corp")
    }

    @Test(
        "proper prefixes of access codes and of member numbers are incomplete (484)",
        arguments: [
            // Prefix of another member's access code, and the code alone.
            Dial("acme.example", "7", .incomplete("7 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "72", .incomplete("72 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "8", .incomplete("8 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "81", .incomplete("81 is the start of a longer number Acme Corp can dial")),
            // Prefixes of a member's extension and range members.
            Dial("acme.example", "721", .incomplete("721 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "7210", .incomplete("7210 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "7230", .incomplete("7230 is the start of a longer number Acme Corp can dial")),
            Dial("acme.example", "81500", .incomplete("81500 is the start of a longer number Acme Corp can dial")),
            // The caller's own access code, alone and its prefix: only that code starts with 8 for Hooli.
            Dial("hooli.example", "8", .incomplete("8 is the start of a longer number Hooli can dial")),
            Dial("hooli.example", "81", .incomplete("81 is the start of a longer number Hooli can dial")),
            Dial("acme.example", "71", .incomplete("71 is the start of a longer number Acme Corp can dial")),
            Dial("hooli.example", "7115", .incomplete("7115 is the start of a longer number Hooli can dial")),
        ])
    func incomplete(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "what can only lead to a 403 or nowhere is 404, not 484",
        arguments: [
            // 720 could only continue into Globex's trunk 05 (403), never into a redirect.
            Dial("acme.example", "720", .notFound("720 is no extension, trunk or group access code Acme Corp can dial")),
            // Vacant has no extensions: its access code leads to no redirect.
            Dial("acme.example", "73", .notFound("73 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "731", .notFound("731 is no extension, trunk or group access code Acme Corp can dial")),
            // A member's own view (Globex can dial 71) is not reachable through that member.
            Dial("hooli.example", "7271201", .notFound("7271201 is no extension, trunk or group access code Hooli can dial")),
            Dial("acme.example", "72400", .notFound("72400 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "721000", .notFound("721000 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "75", .notFound("75 is no extension, trunk or group access code Acme Corp can dial")),
        ])
    func notFound(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }

    @Test(
        "customers outside the caller's group or on another CM are never reached",
        arguments: [
            // initech (CM 3, no group) and umbrella (CM 5): their numbers mean nothing to harbor members...
            Dial("acme.example", "4000", .notFound("4000 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "4100", .notFound("4100 is no extension, trunk or group access code Acme Corp can dial")),
            Dial("acme.example", "65", .notFound("65 is no extension, trunk or group access code Acme Corp can dial")),
            // ...and harbor numbers mean nothing to them.
            Dial("initech.example", "71201", .notFound("71201 is no extension, trunk or group access code Initech can dial")),
            Dial("initech.example", "201", .notFound("201 is no extension, trunk or group access code Initech can dial")),
            Dial("umbrella.example", "72100", .notFound("72100 is no extension, trunk or group access code Umbrella can dial")),
            Dial("umbrella.example", "4000", .notFound("4000 is no extension, trunk or group access code Umbrella can dial")),
        ])
    func outsideTheGroup(_ dial: Dial) {
        #expect(summary(route(from: dial.from, dial.dialled)) == dial.expect.description)
    }
}
