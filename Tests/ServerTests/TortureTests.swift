import Crypto
import Foundation
import Testing

/// What switchd must do with one RFC 4475 message (the table of Tests/Fixtures/sip-torture/README.md).
enum TortureVerdict: Sendable, Equatable {
    /// A valid message: what a valid request gets. None of the torture messages' From domains is a
    /// customer of the sample conf, so the caller is untrusted and challenged (401) — never 400.
    case route
    /// Exactly this status line.
    case status(String)
    /// No answer at all (the message is a response).
    case silence
}

struct TortureCase: Sendable, CustomTestStringConvertible {
    let file: String
    let verdict: TortureVerdict
    /// Where the answer goes: the sender's IP (127.0.0.2) at the top Via's port.
    var answerPort: UInt16 = 5060
    var testDescription: String { file }
}

let routed = "SIP/2.0 401 Unauthorized"

let tortureCases: [TortureCase] = [
    TortureCase(file: "wsinv", verdict: .route),
    TortureCase(file: "intmeth", verdict: .status("SIP/2.0 501 Not Implemented")),
    TortureCase(file: "esc01", verdict: .route),
    TortureCase(file: "escnull", verdict: .status("SIP/2.0 401 Unauthorized")),
    TortureCase(file: "lwsdisp", verdict: .route),
    TortureCase(file: "longreq", verdict: .route),
    TortureCase(file: "dblreq", verdict: .status("SIP/2.0 401 Unauthorized")),
    TortureCase(file: "semiuri", verdict: .route),
    TortureCase(file: "unreason", verdict: .silence),
    TortureCase(file: "badinv01", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "clerr", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "ncl", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "scalar02", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "quotbal", verdict: .status("SIP/2.0 400"), answerPort: 5050),
    TortureCase(file: "ltgtruri", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "lwsruri", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "badvers", verdict: .status("SIP/2.0 505")),
    TortureCase(file: "mismatch01", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "bigcode", verdict: .silence),
    TortureCase(file: "insuf", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "unkscm", verdict: .status("SIP/2.0 416 Unsupported URI Scheme")),
    TortureCase(file: "multi01", verdict: .status("SIP/2.0 400")),
    TortureCase(file: "zeromf", verdict: .status("SIP/2.0 483 Too Many Hops")),
    TortureCase(file: "inv2543", verdict: .route),
    TortureCase(file: "cparam01", verdict: .status("SIP/2.0 401 Unauthorized")),
]

/// The bytes of `name`.dat. Records an issue naming the file and throws when it is missing, not listed
/// in SHA256SUMS, or its SHA-256 differs (e.g. line endings converted on checkout): a wire test must
/// never send something other than the RFC's message and pass or fail for the wrong reason.
func tortureBytes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    let file = tortureDirectory.appendingPathComponent("\(name).dat")
    let data = try #require(
        FileManager.default.contents(atPath: file.path), "missing torture fixture \(file.path)",
        sourceLocation: sourceLocation)
    let listed = try #require(
        try tortureChecksums(sourceLocation: sourceLocation)["\(name).dat"],
        "\(file.path) is not listed in SHA256SUMS", sourceLocation: sourceLocation)
    let actual = sha256Hex(data)
    try #require(
        actual == listed, "\(file.path) has SHA-256 \(actual), SHA256SUMS says \(listed): the fixture was altered",
        sourceLocation: sourceLocation)
    return Array(data)
}

/// `Tests/Fixtures/sip-torture/SHA256SUMS` as file name -> lowercase hex digest ("<hex>  <name>").
func tortureChecksums(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: String] {
    let file = tortureDirectory.appendingPathComponent("SHA256SUMS")
    let data = try #require(
        FileManager.default.contents(atPath: file.path), "missing \(file.path)", sourceLocation: sourceLocation)
    var sums: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        let space = try #require(
            line.firstIndex(of: " "), "malformed line in \(file.path): \(line)", sourceLocation: sourceLocation)
        // "<hex>  <name>", or "<hex> *<name>" as sha256sum writes in binary mode: the same file.
        var name = line[line.index(after: space)...]
        if name.first == " " || name.first == "*" { name = name.dropFirst() }
        sums[String(name)] = String(line[..<space])
    }
    return sums
}

func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// The sockets a torture message is sent from and answered to: 127.0.0.2:5060 (the sender) and :5050.
struct TortureSockets {
    let port5060: UDPClient
    let port5050: UDPClient

    init() throws {
        port5060 = try UDPClient.fixed(host: "127.0.0.2", port: 5060)
        port5050 = try UDPClient.fixed(host: "127.0.0.2", port: 5050)
    }

    func socket(for port: UInt16) -> UDPClient { port == 5050 ? port5050 : port5060 }
    func other(than port: UInt16) -> UDPClient { port == 5050 ? port5060 : port5050 }
}

extension FixedPortTests {
    @Suite("RFC 4475 torture messages")
    struct TortureTests {
        /// Every file SHA256SUMS lists is present with that checksum, and the files in the folder, the
        /// files SHA256SUMS lists and `tortureCases` are the same set: a message dropped from (or added
        /// to) any one of the three fails here rather than going untested.
        @Test func everyFileIsPresentAndIntact() throws {
            let sums = try tortureChecksums()
            // Every entry is checked (no early exit), so one run names every missing or altered file.
            for (file, digest) in sums.sorted(by: { $0.key < $1.key }) {
                let url = tortureDirectory.appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    Issue.record("missing torture fixture \(url.path) (listed in SHA256SUMS)")
                    continue
                }
                #expect(sha256Hex(data) == digest, "\(url.path) differs from its SHA256SUMS checksum")
            }
            let nonMessages = sums.keys.filter { !$0.hasSuffix(".dat") }
            #expect(nonMessages.isEmpty, "SHA256SUMS lists files that are not .dat messages: \(nonMessages.sorted())")

            let table = Set(tortureCases.map(\.file))
            #expect(table.count == tortureCases.count, "a file appears twice in tortureCases")
            let listed = Set(sums.keys.map { String($0.dropLast(".dat".count)) })
            try #require(
                FileManager.default.fileExists(atPath: tortureDirectory.path),
                "missing fixture folder \(tortureDirectory.path)")
            let present = Set(try FileManager.default.contentsOfDirectory(atPath: tortureDirectory.path)
                .filter { $0.hasSuffix(".dat") }.map { String($0.dropLast(".dat".count)) })
            #expect(present == table,
                    "in \(tortureDirectory.path) but not in tortureCases: \(present.subtracting(table).sorted()); in tortureCases but missing: \(table.subtracting(present).sorted())")
            #expect(listed == table,
                    "in SHA256SUMS but not in tortureCases: \(listed.subtracting(table).sorted()); in tortureCases but not in SHA256SUMS: \(table.subtracting(listed).sorted())")
        }

        /// Each message sent as-is from 127.0.0.2:5060 gets the README's verdict, and the server survives it.
        @Test(arguments: tortureCases)
        func verdict(_ testCase: TortureCase) throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes(testCase.file)
            try server.send(bytes, from: sockets.port5060)

            switch testCase.verdict {
            case .silence:
                #expect(sockets.port5060.isSilent(for: 400))
                #expect(sockets.port5050.isSilent(for: 50))
                #expect(server.eventually { server.server.counters[.responsesIgnored] == 1 })
            case .route, .status:
                let datagram = try #require(sockets.socket(for: testCase.answerPort).receive(), "no answer to \(testCase.file)")
                #expect(datagram.sourceHost == "127.0.0.1" && datagram.sourcePort == server.port)
                let reply = try #require(SIPReply(datagram.bytes))
                if case .status(let expected) = testCase.verdict {
                    // "SIP/2.0 400" stands for any 400 (the reason phrase names the problem).
                    if expected.split(separator: " ").count == 2 {
                        #expect(reply.statusLine.hasPrefix(expected + " "), "\(testCase.file): \(reply.statusLine)")
                        #expect(reply.statusLine.count > expected.count + 1, "a reason phrase")
                    } else {
                        #expect(reply.statusLine == expected, "\(testCase.file)")
                    }
                } else {
                    #expect(reply.status != 400, "\(testCase.file) is valid: \(reply.statusLine)")
                    #expect(reply.statusLine == routed, "\(testCase.file)")
                    #expect(reply.values("WWW-Authenticate").count == 2, "\(testCase.file)")
                }
                // The top Via names a host that is not the sender: received= is added.
                #expect(reply.values("Via").first?.hasSuffix(";received=127.0.0.2") == true, "\(testCase.file)")
                #expect(sockets.socket(for: testCase.answerPort).isSilent(), "\(testCase.file): exactly one answer")
                #expect(sockets.other(than: testCase.answerPort).isSilent(for: 50))
            }
            #expect(try server.answersKeepAlive())
        }

        /// escnull: the %00 in the From and To URIs must not be truncated in the answer (a 401: the
        /// registrar challenges an untrusted REGISTER as it challenges an INVITE).
        @Test func escnullEchoesFromAndToIntact() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes("escnull")
            let reply = try #require(try server.exchange(bytes, from: sockets.port5060))
            #expect(reply.statusLine == "SIP/2.0 401 Unauthorized")
            #expect(reply.values("WWW-Authenticate").count == 2)
            #expect(reply.value("From") == "sip:null-%00-null@example.com;tag=839923423")
            #expect(reply.rawValue("From") == Array("sip:null-%00-null@example.com;tag=839923423".utf8))
            let to = try #require(reply.value("To"))
            #expect(to.hasPrefix("sip:null-%00-null@example.com;tag="))
            #expect(tagParameter(to)?.count == 16)
            #expect(reply.value("Call-ID") == "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd")
            #expect(reply.value("CSeq") == "14398234 REGISTER")
            #expect(reply.values("Via") == ["SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw;received=127.0.0.2"])
        }

        /// longreq: all 34 Vias echoed in order, the top one with received=, the long values intact.
        @Test func longreqEchoesAll34Vias() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes("longreq")
            let reply = try #require(try server.exchange(bytes, from: sockets.port5060))
            #expect(reply.statusLine == routed)
            let requestVias = headerValues(in: bytes, names: ["via", "v"])
            #expect(requestVias.count == 34)
            #expect(requestVias.first == "SIP/2.0/TCP sip33.example.com")
            var expected = requestVias
            expected[0] += ";received=127.0.0.2"
            #expect(reply.values("Via") == expected)
            #expect(reply.value("From") == headerValues(in: bytes, names: ["from", "f"]).first)
            #expect(reply.value("Call-ID") == headerValues(in: bytes, names: ["call-id", "i"]).first)
            #expect(reply.value("CSeq") == "3882340 INVITE")
            let to = try #require(headerValues(in: bytes, names: ["to", "t"]).first)
            #expect(reply.value("To")?.hasPrefix(to + ";tag=") == true)
        }

        /// dblreq: the REGISTER is answered once; the INVITE past its Content-Length is not a second request.
        @Test func dblreqGetsExactlyOneResponse() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes("dblreq")
            let reply = try #require(try server.exchange(bytes, from: sockets.port5060))
            #expect(reply.statusLine == "SIP/2.0 401 Unauthorized")
            #expect(reply.value("CSeq") == "8 REGISTER")
            #expect(reply.value("Call-ID") == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
            #expect(reply.values("Via") == ["SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492;received=127.0.0.2"])
            #expect(sockets.port5060.isSilent(for: 500))
            #expect(sockets.port5050.isSilent(for: 50))
            #expect(server.server.counters[.requests] == 1)
        }

        /// quotbal: the 400 goes to the Via's port 5050 and echoes the To whose quote never closes, untagged.
        @Test func quotbalIsAnsweredAtPort5050() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            let bytes = try tortureBytes("quotbal")
            let reply = try #require(try server.exchange(bytes, from: sockets.port5060, answerTo: sockets.port5050))
            #expect(reply.status == 400)
            #expect(reply.values("Via") == ["SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234;received=127.0.0.2"])
            #expect(sockets.port5060.isSilent())
        }

        /// All of them, one after the other, to one server: one answer for each that must be answered,
        /// none for the responses, and the server still answers a normal OPTIONS afterwards.
        @Test func allMessagesToOneServer() throws {
            let server = try TestServer.sample()
            let sockets = try TortureSockets()
            for testCase in tortureCases {
                try server.send(tortureBytes(testCase.file), from: sockets.port5060)
                let answer = sockets.socket(for: testCase.answerPort).receive(timeout: testCase.verdict == .silence ? 300 : 2_000)
                #expect((answer == nil) == (testCase.verdict == .silence), "\(testCase.file)")
                #expect(sockets.port5060.isSilent(for: 50) && sockets.port5050.isSilent(for: 10), "\(testCase.file)")
            }
            let answered = tortureCases.filter { $0.verdict != .silence }.count
            #expect(server.eventually { server.server.counters[.responsesSent] == answered })
            #expect(server.server.counters[.responsesIgnored] == 2)
            #expect(try server.answersKeepAlive())
            // And an authenticated call still works from the same socket (127.0.0.2 is in no networks).
            let challengeReply = try #require(try server.exchange(callRequest(
                dial: "300", from: "150@globex.example", sequence: 1,
                via: "SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-after-torture-1"), from: sockets.port5060))
            #expect(challengeReply.statusLine == unauthorized)
            let challenge = try #require(challengeReply.values("WWW-Authenticate").compactMap(Challenge.init).first)
            let authorization = ClientDigest.sha256.authorization(
                user: "150", realm: challenge.realm, password: SampleCredentials.globex150, method: "INVITE",
                uri: "sip:300@127.0.0.1", nonce: challenge.nonce)
            let reply = try #require(try server.exchange(callRequest(
                dial: "300", from: "150@globex.example", sequence: 2, authorization: [authorization],
                via: "SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-after-torture-2"), from: sockets.port5060))
            #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
            #expect(reply.value("Contact") == "<sip:conference@media.globex.example>")
        }
    }
}

/// Header values of a raw message by name (any case, `name :` spacing, compact forms given in `names`),
/// folded lines joined, comma-separated values of Via split; for the torture messages, which are ASCII
/// where these headers are.
func headerValues(in message: [UInt8], names: Set<String>) -> [String] {
    let text = String(decoding: message, as: UTF8.self)
    let head = text.components(separatedBy: "\r\n\r\n").first ?? text
    var lines: [String] = []
    for line in head.components(separatedBy: "\r\n").dropFirst() {
        if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
            lines[lines.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
        } else {
            lines.append(line)
        }
    }
    var values: [String] = []
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        guard names.contains(name) else { continue }
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if name == "via" || name == "v" {
            values += value.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            values.append(value)
        }
    }
    return values
}
