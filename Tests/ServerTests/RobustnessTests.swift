import Glibc
import Testing

/// Deterministic pseudo-random bytes (a 64-bit LCG), so a failing case can be replayed.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

struct GarbageCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    var testDescription: String { name }
}

/// Datagrams with no recoverable Via: nothing to answer, each dropped and counted.
let garbageCases: [GarbageCase] = [
    GarbageCase(name: "empty datagram", bytes: []),
    GarbageCase(name: "one NUL byte", bytes: [0]),
    GarbageCase(name: "CRLF keep-alive", bytes: Array("\r\n\r\n".utf8)),
    GarbageCase(name: "one CRLF", bytes: Array("\r\n".utf8)),
    GarbageCase(name: "binary garbage 64 bytes", bytes: pseudoRandomBytes(count: 64, seed: 1)),
    GarbageCase(name: "binary garbage 1,500 bytes", bytes: pseudoRandomBytes(count: 1_500, seed: 2)),
    GarbageCase(name: "binary garbage 60,000 bytes", bytes: pseudoRandomBytes(count: 60_000, seed: 3)),
    GarbageCase(name: "all 0xFF", bytes: [UInt8](repeating: 0xFF, count: 512)),
    GarbageCase(name: "all NUL", bytes: [UInt8](repeating: 0, count: 512)),
    GarbageCase(name: "a request line alone", bytes: Array("INVITE sip:201@127.0.0.1 SIP/2.0".utf8)),
    GarbageCase(name: "a request line and CRLFs", bytes: Array("INVITE sip:201@127.0.0.1 SIP/2.0\r\n\r\n".utf8)),
    GarbageCase(name: "HTTP request", bytes: Array("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8)),
    GarbageCase(name: "headers without a start line", bytes: Array("From: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\n".utf8)),
    GarbageCase(
        name: "Via with no sent-by",
        bytes: Array(
            "INVITE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP\r\nFrom: <sip:a@acme.example>;tag=1\r\n\r\n".utf8)),
    GarbageCase(
        name: "Via that is not a Via",
        bytes: Array(
            "INVITE sip:201@127.0.0.1 SIP/2.0\r\nVia: hello world\r\nFrom: <sip:a@acme.example>;tag=1\r\n\r\n".utf8)),
]

@Suite("Robustness")
struct RobustnessTests {
    @Test(arguments: garbageCases)
    func garbageIsDroppedAndCounted(_ testCase: GarbageCase) throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        try server.send(testCase.bytes, from: client)
        #expect(client.isSilent())
        #expect(server.eventually { server.server.counters[.dropped] == 1 })
        #expect(server.server.counters[.responsesSent] == 0)
        #expect(try server.answersKeepAlive())
    }

    /// Every prefix-truncation of a valid INVITE: each gets at most one answer, and the server survives.
    @Test func truncatedRequestsGetAtMostOneAnswer() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let full = TestRequest(client: client).bytes
        for length in stride(from: 1, to: full.count, by: 7) {
            try server.send(Array(full[0..<length]), from: client)
            if let answer = client.receive(timeout: 300) {
                let reply = try #require(SIPReply(answer.bytes))
                #expect(reply.status.map { $0 >= 300 } == true, "length \(length): \(reply.statusLine)")
                #expect(client.isSilent(for: 50), "length \(length): one answer at most")
            }
        }
        #expect(try server.answersKeepAlive())
    }

    /// Random bytes spliced into a valid INVITE: never two answers, never a crash.
    @Test func corruptedRequestsNeverCrashTheServer() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let original = TestRequest(client: client).bytes
        for seed in UInt64(1)...200 {
            var bytes = original
            let noise = pseudoRandomBytes(count: 8, seed: seed)
            for (offset, byte) in noise.enumerated() {
                bytes[Int((seed &* 7_919 &+ UInt64(offset) &* 104_729) % UInt64(bytes.count))] = byte
            }
            try server.send(bytes, from: client)
        }
        // Collect whatever came back: at most one answer per datagram.
        var answers = 0
        while client.receive(timeout: 300) != nil { answers += 1 }
        #expect(answers <= 200)
        #expect(
            server.eventually {
                server.server.counters[.requests] + server.server.counters[.dropped] + server.server.counters[.responsesIgnored]
                    == 200
            })
        #expect(try server.answersKeepAlive())
    }

    /// The largest UDP datagram IPv4 can carry (65,507 bytes: a valid INVITE with a big body) is answered.
    @Test func largestIPv4DatagramIsAnswered() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = bigInvite(totalSize: 65_507, client: client)
        #expect(request.bytes.count == 65_507)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Contact") == "<sip:201@10.1.0.21:5060>")
        #expect(server.eventually { server.server.counters[.requests] == 1 && server.server.counters[.responsesSent] == 1 })
        #expect(server.server.counters[.oversized] == 0)
    }

    /// Over IPv6 the largest UDP payload is 65,527 bytes: also answered.
    @Test func largestIPv6DatagramIsAnswered() throws {
        guard (try? UDPClient(host: "::1")) != nil else { return }  // no IPv6 loopback here
        // ::1 trusted like 127.0.0.1 (the sample's networks hold no IPv6 loopback).
        let server = try TestServer(conf: TempConfDirectory.sample(alsoTrusting: "::1/128"), host: "::1")
        let client = try UDPClient(host: "::1")
        // Call as globex, whose range 100-299 holds 201.
        let request = bigInvite(totalSize: 65_527, from: "<sip:100@globex.example>;tag=big6", client: client)
        #expect(request.bytes.count == 65_527)
        let reply = try #require(try server.exchange(request, from: client))
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Contact") == "<sip:201@pbx.globex.example>")
    }

    /// One byte more than IPv4 allows cannot even be sent (EMSGSIZE): nothing larger than 65,535 can
    /// reach the server over UDP. The server keeps answering afterwards and counted nothing as oversized.
    @Test func datagramPastTheIPv4LimitCannotBeSent() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let request = bigInvite(totalSize: 65_508, client: client)
        #expect(request.bytes.count == 65_508)
        #expect(throws: UDPClientError.self) { try server.send(request, from: client) }
        #expect(client.isSilent())
        #expect(try server.answersKeepAlive())
        #expect(server.server.counters[.oversized] == 0)
        #expect(server.eventually { server.server.counters[.requests] == 1 })
    }

    /// A request whose answer would be larger than any UDP datagram (thousands of compact `v:` Vias, each
    /// echoed as a longer `Via:` line): no crash, at most one answer, and the server keeps serving.
    @Test func answerTooLargeForUDPIsACleanDrop() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        var text =
            "INVITE sip:201@127.0.0.1 SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK-many;rport\r\n"
        let tail =
            "f: <sip:100@acme.example>;tag=many\r\nt: <sip:201@127.0.0.1>\r\ni: many@test\r\n"
            + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n"
        let via = "v:SIP/2.0/UDP a\r\n"
        while text.utf8.count + via.utf8.count + tail.utf8.count <= 65_507 { text += via }
        text += tail
        try server.send(Array(text.utf8), from: client)
        // Never even tried: the handler drops an answer too large for UDP and counts it (no send error,
        // no warning per packet for a flood of such requests to turn into log lines).
        #expect(client.receive(timeout: 1_000) == nil)
        #expect(server.eventually { server.server.counters[.oversizedReplies] == 1 })
        #expect(server.server.counters[.sendErrors] == 0)
        #expect(try server.answersKeepAlive())
    }

    /// A burst of distinct requests: every one is answered exactly once.
    @Test func burstIsAnsweredInFull() throws {
        let server = try TestServer.sample()
        let client = try UDPClient()
        let count = 200
        for index in 0..<count {
            var request = TestRequest(
                uri: "sip:1\(twoDigits(index % 100))@127.0.0.1", branch: "z9hG4bK-burst-\(index)", client: client)
            request.callID = "burst-\(index)@test"
            try server.send(request, from: client)
        }
        var callIDs = Set<String>()
        while let datagram = client.receive(timeout: 1_000) {
            let reply = try #require(SIPReply(datagram.bytes))
            #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
            if let callID = reply.value("Call-ID") { callIDs.insert(callID) }
            if callIDs.count == count { break }
        }
        #expect(callIDs.count == count)
        #expect(client.isSilent())
    }
}

/// A valid INVITE from acme to 201 of exactly `totalSize` bytes: the body (with Content-Type) fills the rest.
func bigInvite(totalSize: Int, from: String = "<sip:100@acme.example>;tag=from-1", client: UDPClient) -> TestRequest {
    var request = TestRequest(from: from, client: client)
    request.extra = [("Content-Type", "application/octet-stream")]
    // The Content-Length digits depend on the body size: settle the size in two passes.
    request.body = [UInt8](repeating: 0x78, count: 60_000)
    let overhead = request.bytes.count - request.body.count
    request.body = [UInt8](repeating: 0x78, count: totalSize - overhead)
    if request.bytes.count != totalSize {
        request.body = [UInt8](repeating: 0x78, count: totalSize - (request.bytes.count - request.body.count))
    }
    return request
}

private func twoDigits(_ value: Int) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}
