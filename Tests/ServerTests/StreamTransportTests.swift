// SIP over TCP against the real server (RFC 3261 §18.3): the same answers as over UDP on the
// connection the request came in on, pipelined and split messages, keep-alives, framing errors that
// close the connection, and the connection limits.
import Config
import Foundation
import Registrar
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An INVITE from 127.0.0.1 (inside Acme's networks) over TCP, dialling `number`.
private func tcpInvite(_ number: String, callID: String, branch: String = "z9hG4bK-tcp-1", port: UInt16 = 5999) -> TestRequest {
    var request = TestRequest(vias: ["SIP/2.0/TCP 127.0.0.1:\(port);branch=\(branch)"])
    request.uri = "sip:\(number)@acme.example"
    request.from = "<sip:202@acme.example>;tag=tcp-from"
    request.to = "<sip:\(number)@acme.example>"
    request.callID = callID
    return request
}

/// The sample conf with these `[limits]` lines, served over UDP and TCP.
private func streamServer(limits: String = "") throws -> TestServer {
    let conf = try TempConfDirectory.sample()
    try conf.write("switchd.toml", "[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n\n[limits]\n\(limits)\n")
    return try TestServer(conf: conf, streams: [.tcp])
}

@Suite("SIP over TCP")
struct StreamTransportTests {
    @Test("an INVITE over TCP gets the same 302 as over UDP, on its connection, with the Via echoed")
    func inviteOverTCP() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        try client.send(tcpInvite("201", callID: "tcp-1@test").bytes)
        let reply = try #require(client.receiveMessage())
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Via") == "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-tcp-1")
        #expect(reply.value("Contact") == "<sip:201@10.1.0.21:5060>")
        #expect(reply.value("Call-ID") == "tcp-1@test")
        #expect(reply.value("Content-Length") == "0")
    }

    @Test("rport over TCP: the source port and received are filled as on UDP (RFC 3581)")
    func rportOverTCP() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        var request = tcpInvite("201", callID: "tcp-rport@test")
        request.vias = ["SIP/2.0/TCP 10.9.9.9:5999;branch=z9hG4bK-rport;rport"]
        try client.send(request.bytes)
        let reply = try #require(client.receiveMessage())
        let via = try #require(reply.value("Via"))
        #expect(via.hasPrefix("SIP/2.0/TCP 10.9.9.9:5999;branch=z9hG4bK-rport;rport="))
        #expect(via.hasSuffix(";received=127.0.0.1"))
    }

    @Test("pipelined requests in one segment: every answer, in order")
    func pipelined() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        let requests = (1...5).map { tcpInvite($0 == 3 ? "555" : "201", callID: "pipe-\($0)@test").bytes }
        try client.send(requests.flatMap { $0 })
        var answers: [String] = []
        for _ in 1...5 {
            let reply = try #require(client.receiveMessage())
            answers.append("\(reply.value("Call-ID") ?? "-") \(reply.status ?? 0)")
        }
        #expect(answers == ["pipe-1@test 302", "pipe-2@test 302", "pipe-3@test 404", "pipe-4@test 302", "pipe-5@test 302"])
    }

    @Test("one message over many segments, a 4 KB body included")
    func splitMessage() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        var request = tcpInvite("201", callID: "split@test")
        request.extra = [("Content-Type", "application/sdp")]
        request.body = Array(
            ("v=0\r\n" + String(repeating: "a=candidate:1 1 UDP 2130706431 10.1.0.21 4000 typ host\r\n", count: 80)).utf8)
        #expect(request.body.count >= 4_096)
        let bytes = request.bytes
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 97, bytes.count)
            try client.send(Array(bytes[offset..<end]))
            offset = end
            usleep(1_000)
        }
        let reply = try #require(client.receiveMessage())
        #expect(reply.statusLine == "SIP/2.0 302 Moved Temporarily")
        #expect(reply.value("Call-ID") == "split@test")
    }

    @Test("a double CRLF is answered with one CRLF (RFC 5626 keep-alive), and the connection stays usable")
    func keepAlive() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        try client.send("\r\n\r\n")
        #expect(client.receiveBytes() == [13, 10])
        try client.send(tcpInvite("201", callID: "after-ping@test").bytes)
        #expect(client.receiveMessage()?.status == 302)
    }

    @Test(
        "a message the stream cannot frame gets its answer, then the connection is closed",
        arguments: [
            (nil, "SIP/2.0 400 Missing Content-Length"),
            ("12abc", "SIP/2.0 400 Invalid Content-Length"),
            ("70000", "SIP/2.0 513 Message Too Large"),
        ] as [(String?, String)])
    func unframeable(_ contentLength: String?, _ statusLine: String) throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        var text = String(decoding: tcpInvite("201", callID: "bad-length@test").bytes, as: UTF8.self)
        text = text.replacingOccurrences(
            of: "Content-Length: 0\r\n", with: contentLength.map { "Content-Length: \($0)\r\n" } ?? "")
        try client.send(text + String(decoding: tcpInvite("201", callID: "never@test").bytes, as: UTF8.self))
        let reply = try #require(client.receiveMessage())
        #expect(reply.statusLine == statusLine)
        #expect(reply.value("Call-ID") == "bad-length@test")
        #expect(reply.value("Via") == "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-tcp-1")
        // The pipelined request after it is never answered: where it starts is unknown.
        #expect(client.closedByServer())
        #expect(client.receiveMessage(timeout: 100) == nil)
    }

    @Test("binary garbage: the connection is closed, and the server keeps answering others")
    func garbage() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try? client.send(noise)
        #expect(client.closedByServer())
        let other = try TCPClient(port: server.port(.tcp))
        try other.send(tcpInvite("201", callID: "after-garbage@test").bytes)
        #expect(other.receiveMessage()?.status == 302)
    }

    @Test("a Content-Length larger than what arrives: closed after message_timeout (the slow-sender limit)")
    func slowSender() throws {
        let server = try streamServer(limits: "message_timeout = 0.5")
        let client = try TCPClient(port: server.port(.tcp))
        var text = String(decoding: tcpInvite("201", callID: "slow@test").bytes, as: UTF8.self)
        text = text.replacingOccurrences(of: "Content-Length: 0\r\n", with: "Content-Length: 100\r\n")
        let started = Date()
        try client.send(text + "v=0\r\n")
        #expect(client.closedByServer(timeout: 3_000))
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.4 && waited < 2.5, "closed after \(waited) s")
    }

    @Test("a silent connection is closed after idle_timeout; pings keep it open")
    func idle() throws {
        let server = try streamServer(limits: "idle_timeout = 0.6")
        let silent = try TCPClient(port: server.port(.tcp))
        let pinging = try TCPClient(port: server.port(.tcp))
        for _ in 0..<4 {
            try pinging.send("\r\n\r\n")
            #expect(pinging.receiveBytes() == [13, 10])
            usleep(300_000)
        }
        #expect(silent.closedByServer(timeout: 100))
        try pinging.send(tcpInvite("201", callID: "still-open@test").bytes)
        #expect(pinging.receiveMessage()?.status == 302)
    }

    @Test("connections beyond max_connections_per_address are closed at once; the others keep working")
    func perAddressLimit() throws {
        let server = try streamServer(limits: "max_connections_per_address = 2")
        var first: TCPClient? = try TCPClient(port: server.port(.tcp))
        let second = try TCPClient(port: server.port(.tcp))
        try first?.send(tcpInvite("201", callID: "first@test").bytes)
        #expect(first?.receiveMessage()?.status == 302)
        let third = try TCPClient(port: server.port(.tcp))
        #expect(third.closedByServer())
        #expect(server.server.counters[.connectionsRefused] == 1)
        // Another address has its own allowance (127.0.0.2 is outside Acme's networks: challenged).
        let elsewhere = try TCPClient(port: server.port(.tcp), from: "127.0.0.2")
        try elsewhere.send(tcpInvite("201", callID: "elsewhere@test").bytes)
        #expect(elsewhere.receiveMessage()?.statusLine == "SIP/2.0 401 Unauthorized")
        try second.send(tcpInvite("201", callID: "second@test").bytes)
        #expect(second.receiveMessage()?.status == 302)
        // A closed connection frees its slot.
        first = nil
        var fourth: TCPClient?
        #expect(
            server.eventually {
                fourth = try? TCPClient(port: server.port(.tcp))
                guard let fourth, (try? fourth.send(tcpInvite("201", callID: "fourth@test").bytes)) != nil else { return false }
                return fourth.receiveMessage(timeout: 200)?.status == 302
            })
        _ = fourth
    }

    @Test("a peer that sends and never reads its answers is held back, and the others are still answered")
    func peerThatNeverReads() throws {
        let server = try streamServer(limits: "idle_timeout = 2")
        let greedy = try TCPClient(port: server.port(.tcp), receiveBuffer: 4_096)
        // A blocked send gives up after a second instead of hanging the test.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        _ = setsockopt(greedy.descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // 20,000 pipelined INVITEs: about 6 MB of answers, far more than this peer's small receive
        // buffer and the channel's high-water mark hold.
        let one = tcpInvite("201", callID: "greedy@test").bytes
        let burst = Array([[UInt8]](repeating: one, count: 1_000).joined())
        var sent = 0
        for _ in 0..<20 {
            var descriptorSet = pollfd(fd: greedy.descriptor, events: Int16(POLLOUT), revents: 0)
            // Stop sending when switchd stops reading (its receive buffer and ours are full).
            guard poll(&descriptorSet, 1, 1_000) > 0, (try? greedy.send(burst)) != nil else { break }
            sent += 1
        }
        let other = try TCPClient(port: server.port(.tcp))
        try other.send(tcpInvite("201", callID: "patient@test").bytes)
        #expect(other.receiveMessage()?.status == 302)
        // switchd stopped reading: had it read on, all 20 bursts would have gone out (their 6 MB of
        // answers queued in its memory).
        #expect(sent < 20, "sent \(sent) bursts of 1,000 INVITEs")
        // The greedy peer's connection is closed once switchd has read nothing from it for idle_timeout.
        #expect(greedy.closedByServer(timeout: 8_000))
    }

    @Test("a REGISTER over TCP records the transport TCP; the redirect then follows it")
    func registerOverTCP() throws {
        let server = try streamServer()
        let client = try TCPClient(port: server.port(.tcp))
        var request = TestRequest(vias: ["SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-reg-tcp"])
        request.method = "REGISTER"
        request.uri = "sip:acme.example"
        request.from = "<sip:203@acme.example>;tag=reg"
        request.to = "<sip:203@acme.example>"
        request.callID = "reg-tcp@test"
        request.cseq = "1 REGISTER"
        request.extra = [("Contact", "<sip:203@soft.acme.example;transport=tcp>")]
        try client.send(request.bytes)
        let reply = try #require(client.receiveMessage())
        #expect(reply.statusLine == "SIP/2.0 200 OK")
        #expect(reply.value("Contact") == "<sip:203@soft.acme.example;transport=tcp>;expires=3600")
        let bindings = server.server.location.lookup(
            AddressOfRecord(customerID: "acme", extensionNumber: "203"), now: Date().timeIntervalSince1970)
        #expect(bindings.map(\.transport) == ["TCP"])
        try client.send(tcpInvite("203", callID: "to-203@test").bytes)
        #expect(client.receiveMessage()?.value("Contact") == "<sip:203@soft.acme.example;transport=tcp>")
    }
}
