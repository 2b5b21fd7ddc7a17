// Every RFC 4475 message in Tests/Fixtures/sip-torture maps to the parse outcome
// that lets the server reach the verdict in that folder's README.md.
import Foundation
import Testing
@testable import SIP

enum Expected: Sendable, CustomStringConvertible {
    case request(method: String, scheme: String = "sip")
    case response
    case invalid(status: Int, reason: String)

    var description: String {
        switch self {
        case let .request(method, scheme): "request \(method) \(scheme)"
        case .response: "response"
        case let .invalid(status, reason): "invalid \(status) \(reason)"
        }
    }
}

let tortureExpectations: [(file: String, expected: Expected)] = [
    ("wsinv", .request(method: "INVITE")),
    ("intmeth", .request(method: "!interesting-Method0123456789_*+`.%indeed'~")),
    ("esc01", .request(method: "INVITE")),
    ("escnull", .request(method: "REGISTER")),
    ("lwsdisp", .request(method: "OPTIONS")),
    ("longreq", .request(method: "INVITE")),
    ("dblreq", .request(method: "REGISTER")),
    ("semiuri", .request(method: "OPTIONS")),
    ("unreason", .response),
    ("badinv01", .invalid(status: 400, reason: "Malformed Via Header")),
    ("clerr", .invalid(status: 400, reason: "Content-Length Exceeds Body")),
    ("ncl", .invalid(status: 400, reason: "Invalid Content-Length")),
    ("scalar02", .invalid(status: 400, reason: "CSeq Number Too Large")),
    ("quotbal", .invalid(status: 400, reason: "Unterminated Quoted String In To")),
    ("ltgtruri", .invalid(status: 400, reason: "Request-URI In Angle Brackets")),
    ("lwsruri", .invalid(status: 400, reason: "Whitespace In Request-URI")),
    ("badvers", .invalid(status: 505, reason: "Version Not Supported")),
    ("mismatch01", .invalid(status: 400, reason: "CSeq Method Mismatch")),
    ("bigcode", .response),
    ("insuf", .invalid(status: 400, reason: "Missing To, From, Call-ID")),
    ("unkscm", .request(method: "OPTIONS", scheme: "nobodyknowsthisscheme")),
    ("multi01", .invalid(status: 400, reason: "Duplicate From Header")),
    ("zeromf", .request(method: "OPTIONS")),
    ("inv2543", .request(method: "INVITE")),
    ("cparam01", .request(method: "REGISTER")),
]

/// The fixtures are this suite's input: every file SHA256SUMS lists is present with that checksum, and
/// the files in the folder, the files SHA256SUMS lists and the expectation table are the same set, so
/// a message dropped from (or added to) any one of the three fails here rather than going untested.
@Test func fixturesArePresentIntactAndComplete() throws {
    let sums = try TortureCorpus.checksums()
    // Every entry is checked (no early exit), so one run names every missing or altered file.
    for (file, digest) in sums.sorted(by: { $0.key < $1.key }) {
        let url = TortureCorpus.directory.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("missing torture fixture \(url.path) (listed in SHA256SUMS)")
            continue
        }
        #expect(TortureCorpus.sha256Hex(data) == digest, "\(url.path) differs from its SHA256SUMS checksum")
    }
    let nonMessages = sums.keys.filter { !$0.hasSuffix(".dat") }
    #expect(nonMessages.isEmpty, "SHA256SUMS lists files that are not .dat messages: \(nonMessages.sorted())")

    let table = Set(tortureExpectations.map(\.file))
    #expect(table.count == tortureExpectations.count, "a file appears twice in tortureExpectations")
    let listed = Set(sums.keys.map { String($0.dropLast(".dat".count)) })
    let present = try TortureCorpus.filesPresent()
    #expect(present == table,
            "in \(TortureCorpus.directory.path) but not in the table: \(present.subtracting(table).sorted()); in the table but missing: \(table.subtracting(present).sorted())")
    #expect(listed == table,
            "in SHA256SUMS but not in the table: \(listed.subtracting(table).sorted()); in the table but not in SHA256SUMS: \(table.subtracting(listed).sorted())")
}

@Test(arguments: tortureExpectations.map(\.file))
func tortureOutcome(_ file: String) throws {
    let expected = tortureExpectations.first { $0.file == file }!.expected
    let result = SIPParser.parse(try TortureCorpus.bytes(file))
    switch (expected, result) {
    case let (.request(method, scheme), .request(request)):
        #expect(request.method == method)
        #expect(request.requestURI.scheme == scheme)
        #expect(request.cseq.method == method)
        #expect(!request.vias.isEmpty)
    case (.response, .response):
        break
    case let (.invalid(status, reason), .invalid(invalid)):
        #expect(invalid.problem == expectedProblem(status: status, reason: reason))
        #expect(!invalid.vias.isEmpty)
    default:
        Issue.record("\(file): expected \(expected), got \(result)")
    }
}

private func request(_ file: String) throws -> SIPRequest {
    guard case let .request(request) = SIPParser.parse(try TortureCorpus.bytes(file)) else {
        throw TestFailure("\(file) is not a request")
    }
    return request
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Test func zeromfKeepsMaxForwardsZero() throws {
    #expect(try request("zeromf").maxForwards == 0)
}

@Test func wsinvUnfoldsAndStripsLeadingZeros() throws {
    let r = try request("wsinv")
    #expect(r.maxForwards == 68)
    #expect(r.cseq.number == 9)
    #expect(r.cseq.raw == "0009 INVITE")
    #expect(r.to.raw == "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
    #expect(r.to.tag == "1918181833n")
    #expect(r.from.tag == "98asjd8")
    #expect(r.vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
    #expect(r.vias.map(\.transport) == ["UDP", "TCP", "UDP"])
    #expect(r.vias[1].branch == "z9hG4bK9ikj8")
    #expect(r.contentLength == 150)
}

@Test func escnullKeepsEscapesIntact() throws {
    let r = try request("escnull")
    #expect(r.to.raw == "sip:null-%00-null@example.com")
    #expect(r.from.raw == "sip:null-%00-null@example.com;tag=839923423")
    #expect(r.from.uri?.user == "null-%00-null")
    #expect(r.from.tag == "839923423")
}

@Test func longreqKeepsAll34ViasInOrder() throws {
    let r = try request("longreq")
    #expect(r.vias.count == 34)
    let expectedHosts = (1...33).reversed().map { "sip\($0).example.com" } + ["host.example.com"]
    #expect(r.vias.map(\.host) == expectedHosts)
    #expect(r.vias[0].raw == "SIP/2.0/TCP sip33.example.com")
    #expect(r.vias[33].received == "192.0.2.5")
    #expect(r.to.uri?.port == 6000)
}

@Test func dblreqIsOneRequestIgnoringTrailingBytes() throws {
    let r = try request("dblreq")
    #expect(r.contentLength == 0)
    #expect(r.bodyLength > 0)
    #expect(r.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
}

@Test func inv2543HasNoBranchNoTagNoMaxForwards() throws {
    let r = try request("inv2543")
    #expect(r.vias.count == 1)
    #expect(r.vias[0].branch == nil)
    #expect(r.from.tag == nil)
    #expect(!r.hasMaxForwards)
    #expect(r.maxForwards == 70)
    #expect(r.contentLength == r.bodyLength)
}

@Test func unusualURIsAreSplitFromRawText() throws {
    #expect(try request("semiuri").requestURI == SIPURI(scheme: "sip", user: "user;par=u%40example.net", host: "example.com"))
    #expect(try request("esc01").requestURI.user == "sips%3Auser%40example.com")
    #expect(try request("intmeth").requestURI.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    #expect(try request("unkscm").requestURI == SIPURI(scheme: "nobodyknowsthisscheme", host: "totallyopaquecontent"))
    #expect(try request("intmeth").from.tag == "_token~1'+`*%!-.")
}

@Test func invalidMessagesKeepRecoveredHeaders() throws {
    guard case let .invalid(quotbal) = SIPParser.parse(try TortureCorpus.bytes("quotbal")) else {
        Issue.record("quotbal not invalid"); return
    }
    #expect(quotbal.vias.first?.port == 5050)
    #expect(quotbal.toRaw == "\"Mr. J. User <sip:j.user@example.com>")
    #expect(quotbal.callID == "quotbal.aksdj")
    guard case let .invalid(insuf) = SIPParser.parse(try TortureCorpus.bytes("insuf")) else {
        Issue.record("insuf not invalid"); return
    }
    #expect(insuf.fromRaw == nil && insuf.toRaw == nil && insuf.callID == nil)
    #expect(insuf.cseqRaw == "193942 INVITE")
}
