// How the Request-URI's user part (or tel: number) becomes the dialled string.
import Server
import Testing

@Suite("The dialled number of a Request-URI")
struct DialledNumberTests {
    @Test(
        "sip: user parts: %-escapes decoded, user parameters cut, separators removed only from + numbers",
        arguments: [
            ("201", "201"),
            ("%2A97", "*97"),
            ("%2B442079460000", "+442079460000"),
            ("%2b44", "+44"),
            ("+44-20-7946-0000", "+442079460000"),
            ("+1(212)555.0100", "+12125550100"),
            ("201;phone-context=acme.example", "201"),
            ("+442079460000;isub=1", "+442079460000"),
            // Not a + number: a separator is not dialled away, and makes the string undialable (404).
            ("9-123", "9-123"),
            ("%", "%"),
            ("%2", "%2"),
        ])
    func sipUser(_ user: String, _ dialled: String) {
        #expect(CallRouter.dialledNumber(user) == dialled)
    }

    @Test(
        "tel: numbers (RFC 3966): visual separators removed, local numbers too",
        arguments: [
            ("+1-212-555-0100", "+12125550100"),
            ("+44.20.7946.0000", "+442079460000"),
            ("555-0100", "5550100"),
            ("(201)", "201"),
            ("*97", "*97"),
            ("%2B1-212", "+1212"),
        ])
    func telNumber(_ number: String, _ dialled: String) {
        #expect(CallRouter.dialledNumber(number, isTelURI: true) == dialled)
    }

    @Test("no user part is the empty string")
    func none() {
        #expect(CallRouter.dialledNumber(nil) == "")
    }
}
