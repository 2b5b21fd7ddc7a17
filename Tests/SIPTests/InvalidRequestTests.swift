// One hand-written message per 400/505 cause, with the exact reason phrase.
import Dispatch
import Synchronization
import Testing
@testable import SIP

/// A valid OPTIONS, as header lines, that each case below breaks in one way.
let baseHeaders = [
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1",
    "Max-Forwards: 70",
    "From: <sip:alice@example.com>;tag=a1",
    "To: <sip:bob@example.com>",
    "Call-ID: c1@192.0.2.1",
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
]

func options(startLine: String = "OPTIONS sip:bob@example.com SIP/2.0",
             replacing name: String? = nil, with replacement: [String] = [], body: String = "") -> [UInt8] {
    var headers = baseHeaders
    if let name, let index = headers.firstIndex(where: { $0.hasPrefix(name + ":") }) {
        headers.replaceSubrange(index...index, with: replacement)
    } else {
        headers += replacement
    }
    return message([startLine] + headers, body: body)
}

let invalidCases: [(name: String, bytes: [UInt8], status: Int, reason: String)] = [
    ("missing To", options(replacing: "To"), 400, "Missing To"),
    ("missing From", options(replacing: "From"), 400, "Missing From"),
    ("missing Call-ID", options(replacing: "Call-ID"), 400, "Missing Call-ID"),
    ("missing CSeq", options(replacing: "CSeq"), 400, "Missing CSeq"),
    ("CSeq 2^31", options(replacing: "CSeq", with: ["CSeq: 2147483648 OPTIONS"]), 400, "CSeq Number Too Large"),
    ("CSeq negative", options(replacing: "CSeq", with: ["CSeq: -1 OPTIONS"]), 400, "Invalid CSeq Number"),
    ("CSeq no method", options(replacing: "CSeq", with: ["CSeq: 1"]), 400, "Invalid CSeq Method"),
    ("CSeq mismatch", options(replacing: "CSeq", with: ["CSeq: 1 INVITE"]), 400, "CSeq Method Mismatch"),
    ("CSeq case mismatch", options(replacing: "CSeq", with: ["CSeq: 1 options"]), 400, "CSeq Method Mismatch"),
    ("Max-Forwards 256", options(replacing: "Max-Forwards", with: ["Max-Forwards: 256"]), 400, "Invalid Max-Forwards"),
    ("Max-Forwards text", options(replacing: "Max-Forwards", with: ["Max-Forwards: ten"]), 400, "Invalid Max-Forwards"),
    ("Max-Forwards negative", options(replacing: "Max-Forwards", with: ["Max-Forwards: -1"]), 400, "Invalid Max-Forwards"),
    ("Content-Length negative", options(replacing: "Content-Length", with: ["Content-Length: -5"]), 400, "Invalid Content-Length"),
    ("Content-Length empty", options(replacing: "Content-Length", with: ["Content-Length:"]), 400, "Invalid Content-Length"),
    ("Content-Length too big", options(replacing: "Content-Length", with: ["Content-Length: 5"], body: "abc"), 400, "Content-Length Exceeds Body"),
    ("Content-Length huge", options(replacing: "Content-Length", with: ["Content-Length: 99999999999999999999999"]), 400, "Content-Length Exceeds Body"),
    ("duplicate From", options(replacing: "From", with: ["From: <sip:a@x>;tag=1", "From: <sip:b@x>;tag=2"]), 400, "Duplicate From Header"),
    ("duplicate To", options(replacing: "To", with: ["To: <sip:a@x>", "t: <sip:b@x>"]), 400, "Duplicate To Header"),
    ("duplicate Call-ID", options(replacing: "Call-ID", with: ["Call-ID: 1", "i: 2"]), 400, "Duplicate Call-ID Header"),
    ("duplicate CSeq", options(replacing: "CSeq", with: ["CSeq: 1 OPTIONS", "CSeq: 2 OPTIONS"]), 400, "Duplicate CSeq Header"),
    ("duplicate Max-Forwards", options(replacing: "Max-Forwards", with: ["Max-Forwards: 1", "Max-Forwards: 2"]), 400, "Duplicate Max-Forwards Header"),
    ("duplicate Content-Length", options(replacing: "Content-Length", with: ["l: 0", "Content-Length: 0"]), 400, "Duplicate Content-Length Header"),
    ("two values in To", options(replacing: "To", with: ["To: <sip:a@x>, <sip:b@x>"]), 400, "Multiple Values In To"),
    ("unterminated quote", options(replacing: "From", with: ["From: \"Alice <sip:alice@example.com>;tag=1"]), 400, "Unterminated Quoted String In From"),
    ("To without >", options(replacing: "To", with: ["To: <sip:bob@example.com"]), 400, "Malformed To Header"),
    ("version 3.0", options(startLine: "OPTIONS sip:bob@example.com SIP/3.0"), 505, "Version Not Supported"),
    ("no version", options(startLine: "OPTIONS sip:bob@example.com HTTP/1.1"), 400, "Malformed Request Line"),
    ("two-part line", options(startLine: "OPTIONS sip:bob@example.com"), 400, "Malformed Request Line"),
    ("URI in <>", options(startLine: "OPTIONS <sip:bob@example.com> SIP/2.0"), 400, "Request-URI In Angle Brackets"),
    ("space in URI", options(startLine: "OPTIONS sip:bob@example.com ;lr SIP/2.0"), 400, "Whitespace In Request-URI"),
    ("double space", options(startLine: "OPTIONS  sip:bob@example.com SIP/2.0"), 400, "Whitespace In Request-URI"),
    ("no scheme", options(startLine: "OPTIONS bob@example.com SIP/2.0"), 400, "Malformed Request-URI"),
    ("bad method", options(startLine: "OPT(IONS sip:bob@example.com SIP/2.0"), 400, "Malformed Request Line"),
    ("line without colon", options(replacing: "Content-Length", with: ["Content-Length: 0", "NoColonHere"]), 400, "Malformed Header Line"),
    ("osip refuses Via", options(replacing: "Via", with: ["Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "Via: SIP/2.0/UDP 192.0.2.9;;,;,,"]), 400, "Malformed Via Header"),
]

@Test(arguments: invalidCases.indices)
func invalidRequest(_ index: Int) {
    let testCase = invalidCases[index]
    guard case let .invalid(invalid) = SIPParser.parse(testCase.bytes) else {
        Issue.record("\(testCase.name): not invalid: \(SIPParser.parse(testCase.bytes))")
        return
    }
    #expect(invalid.problem == expectedProblem(status: testCase.status, reason: testCase.reason), "\(testCase.name)")
    #expect(invalid.vias.first?.host == "192.0.2.1", "\(testCase.name)")
}

@Test func baseMessageIsValid() {
    guard case let .request(request) = SIPParser.parse(options()) else {
        Issue.record("base message refused"); return
    }
    #expect(request.method == "OPTIONS")
    #expect(request.requestURI == SIPURI(scheme: "sip", user: "bob", host: "example.com"))
}

@Test func unrecoverableInputs() {
    #expect(isUnrecoverable(SIPParser.parse([])))
    #expect(isUnrecoverable(SIPParser.parse(options(replacing: "Via"))))
    #expect(isUnrecoverable(SIPParser.parse(options(replacing: "Via", with: ["Via: garbage"]))))
    #expect(isUnrecoverable(SIPParser.parse(Array(repeating: 0x41, count: 65_536))))
    #expect(isUnrecoverable(SIPParser.parse([0, 1, 2, 0xFF, 0xFE, 13, 10, 13, 10])))
}

func isUnrecoverable(_ result: SIPParseResult) -> Bool {
    if case .unrecoverable = result { return true }
    return false
}

/// ACK and CANCEL are never answered, so a malformed one is reported as osip's complaint, not as a 400.
@Test(arguments: ["ACK", "CANCEL"])
func ackAndCancelAreUnansweredEvenWhenMalformed(method: String) {
    let wellFormed = options(startLine: "\(method) sip:bob@example.com SIP/2.0",
                             replacing: "CSeq", with: ["CSeq: 1 \(method)"])
    guard case .unanswered(method, nil) = SIPParser.parse(wellFormed) else {
        Issue.record("a well-formed \(method) was not classified as unanswered")
        return
    }
    let garbled = options(startLine: "\(method) sip:bob@example.com SIP/2.0",
                          replacing: "From", with: ["From: <sip:alice@exa mple.com;tag=a1"])
    guard case .unanswered(method, .some) = SIPParser.parse(garbled) else {
        Issue.record("a malformed \(method) was not reported as malformed and unanswered")
        return
    }
    // Only the exact upper-case method names are these methods (§7.1); "ack" is an unknown method.
    #expect(!isUnanswered(SIPParser.parse(options(startLine: "ack sip:bob@example.com SIP/2.0"))))
}

func isUnanswered(_ result: SIPParseResult) -> Bool {
    if case .unanswered = result { return true }
    return false
}

/// A Request-URI of another scheme is parsed as a request (the server answers 416) in forms libosip2
/// refuses on its own, with the URI kept exactly as written.
@Test(arguments: [
    ("a+b.c-9://host:5060;x=y", SIPURI(scheme: "a+b.c-9", host: "//host:5060")),
    ("x:yyy", SIPURI(scheme: "x", host: "yyy")),
    ("h323:alice@example.com", SIPURI(scheme: "h323", host: "alice@example.com")),
    ("abc:y", SIPURI(scheme: "abc", host: "y")),
    ("foo:", SIPURI(scheme: "foo", host: "")),
])
func otherSchemesReachTheServer(uri: String, parsed: SIPURI) {
    let bytes = options(startLine: "OPTIONS \(uri) SIP/2.0")
    guard case let .request(request) = SIPParser.parse(bytes) else {
        Issue.record("\(uri): not a request: \(SIPParser.parse(bytes))")
        return
    }
    #expect(request.requestURI == parsed)
    #expect(request.requestURIText == uri)
    #expect(request.vias.map(\.host) == ["192.0.2.1"])
    #expect(request.from.tag == "a1")
}

/// The stand-in URI osip sees keeps every header in place: a NUL in a quoted display name (blanked for
/// osip) and a body after Content-Length still parse.
@Test func otherSchemeWithQuotedNULAndBody() {
    var bytes = options(startLine: "OPTIONS x:yyy SIP/2.0",
                        replacing: "From", with: ["From: \"A\u{0}B\" <sip:alice@example.com>;tag=a1"])
    bytes = Array(String(decoding: bytes, as: UTF8.self)
        .replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: 4").utf8) + Array("v=0\n".utf8)
    guard case let .request(request) = SIPParser.parse(bytes) else {
        Issue.record("not a request: \(SIPParser.parse(bytes))")
        return
    }
    #expect(request.requestURIText == "x:yyy")
    #expect(request.contentLength == 4)
    #expect(request.from.tag == "a1")
}

/// When osip refuses a message, its own complaint is kept (for the log of the 400), in osip's words:
/// the trace callback and the reader share one buffer (Sources/COsip/osip_trace.c). osip reports a
/// header its parser refuses as "End of header Not found" (msg_headers_parse); switchd names the
/// header itself ("osip refuses Via" in invalidCases).
@Test func osipComplaintIsKept() throws {
    let bytes = options(replacing: "Via", with: ["Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "Via: SIP/2.0/UDP 192.0.2.9;;,;,,"])
    guard case let .invalid(invalid) = SIPParser.parse(bytes) else {
        Issue.record("not invalid: \(SIPParser.parse(bytes))")
        return
    }
    #expect(invalid.detail == "End of header Not found")
}

/// Refused ACKs (never answered) report osip's complaint too, the first one since the parse began,
/// without its line end; a good message after a bad one starts from an empty complaint.
@Test func osipComplaintIsPerParse() {
    let badFrom = options(startLine: "ACK sip:bob@example.com SIP/2.0",
                          replacing: "From", with: ["From: <sip:alice@>;tag=a1"])
    guard case .unanswered("ACK", "End of header Not found") = SIPParser.parse(badFrom) else {
        Issue.record("a malformed ACK: \(SIPParser.parse(badFrom))")
        return
    }
    // libosip2 refuses this Request-URI (a one-character scheme); ACKs are not given the stand-in URI.
    let badStartLine = options(startLine: "ACK x:y SIP/2.0", replacing: "CSeq", with: ["CSeq: 1 ACK"])
    guard case .unanswered("ACK", "Could not parse start line of message.") = SIPParser.parse(badStartLine) else {
        Issue.record("an ACK osip refuses the start line of: \(SIPParser.parse(badStartLine))")
        return
    }
    let wellFormed = options(startLine: "ACK sip:bob@example.com SIP/2.0", replacing: "CSeq", with: ["CSeq: 1 ACK"])
    guard case .unanswered("ACK", nil) = SIPParser.parse(wellFormed) else {
        Issue.record("a well-formed ACK after malformed ones: \(SIPParser.parse(wellFormed))")
        return
    }
}

/// Worker threads parse at once: each thread's complaint is its own (the buffer is per thread), so a
/// valid message never inherits another thread's complaint and a refused one always has its own.
@Test func osipComplaintIsPerThread() {
    let bad = options(replacing: "Via", with: ["Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "Via: SIP/2.0/UDP 192.0.2.9;;,;,,"])
    let good = options()
    let wrong = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 400) { index in
        let ok: Bool
        if index % 2 == 0 {
            if case let .invalid(invalid) = SIPParser.parse(bad) { ok = invalid.detail == "End of header Not found" } else { ok = false }
        } else {
            if case .request = SIPParser.parse(good) { ok = true } else { ok = false }
        }
        if !ok { wrong.withLock { $0 += 1 } }
    }
    #expect(wrong.withLock { $0 } == 0)
}
