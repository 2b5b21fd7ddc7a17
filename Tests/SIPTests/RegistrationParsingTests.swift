// A REGISTER's Contacts, Expires and User-Agent, as the registrar receives them; every other method's
// Contact is never read.
import Testing

@testable import SIP

private func register(_ headers: [String]) -> [UInt8] {
    var lines = [
        "REGISTER sip:acme.example SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-reg",
        "Max-Forwards: 70",
        "From: <sip:201@acme.example>;tag=f1",
        "To: <sip:201@acme.example>",
        "Call-ID: reg-1@192.0.2.1",
        "CSeq: 7 REGISTER",
    ]
    lines += headers
    lines += ["Content-Length: 0", "", ""]
    return Array(lines.joined(separator: "\r\n").utf8)
}

struct RegistrationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let headers: [String]
    let expected: Result<SIPRegistration, SIPRequestProblem>
    var testDescription: String { name }
}

let registrationCases: [RegistrationCase] = [
    RegistrationCase(name: "no Contact: a query", headers: [], expected: .success(SIPRegistration(contacts: .list([]), expires: nil, userAgent: nil))),
    RegistrationCase(
        name: "one name-addr with expires and q", headers: ["Contact: \"Desk\" <sip:201@192.0.2.1:5062;transport=udp>;expires=600;q=0.7"],
        expected: .success(SIPRegistration(
            contacts: .list([SIPContact(uri: "sip:201@192.0.2.1:5062;transport=udp", expires: 600, q: 0.7)]), expires: nil, userAgent: nil))),
    RegistrationCase(
        name: "addr-spec: parameters belong to the header", headers: ["m: sip:201@192.0.2.1;expires=60"],
        expected: .success(SIPRegistration(contacts: .list([SIPContact(uri: "sip:201@192.0.2.1", expires: 60)]), expires: nil, userAgent: nil))),
    RegistrationCase(
        name: "a list over two headers, commas inside <> kept", headers: [
            "Contact: <sip:201@a.example;x=\"1,2\">;q=1, <sip:201@b.example>;q=0.5", "Contact: <sips:201@c.example>",
        ],
        expected: .success(SIPRegistration(contacts: .list([
            SIPContact(uri: "sip:201@a.example;x=\"1,2\"", q: 1), SIPContact(uri: "sip:201@b.example", q: 0.5),
            SIPContact(uri: "sips:201@c.example"),
        ]), expires: nil, userAgent: nil))),
    RegistrationCase(
        name: "Expires header and User-Agent", headers: ["Contact: <sip:201@192.0.2.1>", "Expires: 1800", "User-Agent: baresip v1.0.0"],
        expected: .success(SIPRegistration(contacts: .list([SIPContact(uri: "sip:201@192.0.2.1")]), expires: 1800, userAgent: "baresip v1.0.0"))),
    RegistrationCase(
        name: "wildcard alone", headers: ["Contact: *", "Expires: 0"],
        expected: .success(SIPRegistration(contacts: .wildcard, expires: 0, userAgent: nil))),
    RegistrationCase(
        name: "huge delta-seconds are 2^32-1", headers: ["Contact: <sip:201@192.0.2.1>;expires=99999999999999"],
        expected: .success(SIPRegistration(contacts: .list([SIPContact(uri: "sip:201@192.0.2.1", expires: UInt32.max)]), expires: nil, userAgent: nil))),
    RegistrationCase(name: "wildcard with another contact", headers: ["Contact: *, <sip:201@192.0.2.1>"], expected: .failure(.malformed("Invalid Wildcard Contact"))),
    RegistrationCase(name: "two wildcards", headers: ["Contact: *", "Contact: *"], expected: .failure(.malformed("Invalid Wildcard Contact"))),
    RegistrationCase(name: "Expires not a number", headers: ["Contact: <sip:201@192.0.2.1>", "Expires: soon"], expected: .failure(.malformed("Invalid Expires"))),
    RegistrationCase(name: "negative expires param", headers: ["Contact: <sip:201@192.0.2.1>;expires=-1"], expected: .failure(.malformed("Malformed Contact Header"))),
    RegistrationCase(name: "q above 1", headers: ["Contact: <sip:201@192.0.2.1>;q=1.5"], expected: .failure(.malformed("Malformed Contact Header"))),
    RegistrationCase(name: "q with four decimals", headers: ["Contact: <sip:201@192.0.2.1>;q=0.1234"], expected: .failure(.malformed("Malformed Contact Header"))),
    RegistrationCase(name: "Contact without a scheme", headers: ["Contact: <192.0.2.1:5060>"], expected: .failure(.malformed("Malformed Contact Header"))),
]

@Test(arguments: registrationCases)
func registrationParsing(_ testCase: RegistrationCase) {
    switch (SIPParser.parse(register(testCase.headers)), testCase.expected) {
    case (.request(let request), .success(let expected)):
        #expect(request.registration == expected)
    case (.invalid(let invalid), .failure(let problem)):
        #expect(invalid.problem == problem)
    case (let result, let expected):
        Issue.record("expected \(expected), got \(result)")
    }
}

@Test("qvalues", arguments: [("0", 0.0), ("1", 1.0), ("0.5", 0.5), ("0.001", 0.001), ("1.000", 1.0), ("0.75", 0.75)])
func qValues(_ text: String, _ value: Double) {
    #expect(SIPRegistration.qValue(text) == value)
}

@Test("an INVITE's Contact is never read")
func inviteHasNoRegistration() throws {
    let invite = Array("INVITE sip:202@acme.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-i\r\nMax-Forwards: 70\r\nFrom: <sip:201@acme.example>;tag=a\r\nTo: <sip:202@acme.example>\r\nCall-ID: i@x\r\nCSeq: 1 INVITE\r\nContact: <sip:201@192.0.2.1>;q=7;expires=never\r\nContent-Length: 0\r\n\r\n".utf8)
    guard case .request(let request) = SIPParser.parse(invite) else {
        Issue.record("an INVITE with an unreadable Contact is still routed")
        return
    }
    #expect(request.registration == nil)
}
