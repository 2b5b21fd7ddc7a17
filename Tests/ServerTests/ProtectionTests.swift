import Dispatch
import Foundation
import Routing
import Server
import Synchronization
import Testing
import Config

/// A thread of its own (not a Dispatch worker, which a busy parallel test run may not start in time)
/// sending one request over and over from 127.0.0.2 until stopped.
final class Flooder: Sendable {
    private let stopped = Mutex(false)
    private let finished = Mutex(false)
    private let sentCount = Mutex(0)
    private let socketFailed = Mutex(false)

    init(port: UInt16) {
        let thread = Thread { [self] in
            defer { finished.withLock { $0 = true } }
            guard let client = try? UDPClient(host: "127.0.0.2") else {
                socketFailed.withLock { $0 = true }
                return
            }
            var request = callRequest(dial: "202", from: "201@acme.example", sequence: 1,
                                      via: "SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-flood;rport")
            var count = 0
            while !stopped.withLock({ $0 }) {
                request.callID = "flood-\(count)@test"
                try? client.send(request.bytes, toHost: "127.0.0.1", port: port)
                count += 1
                if count % 64 == 0 {
                    client.drain()
                    sentCount.withLock { $0 = count }
                }
            }
            sentCount.withLock { $0 = count }
        }
        thread.start()
    }

    var sent: Int { sentCount.withLock { $0 } }
    var couldNotOpenSocket: Bool { socketFailed.withLock { $0 } }

    /// Stops the thread and waits (up to 5 s) for it to end.
    func stop() {
        stopped.withLock { $0 = true }
        for _ in 0..<500 where !finished.withLock({ $0 }) { usleep(10_000) }
    }
}

/// Per-address rate limits and bans, over real UDP (the daemon's own clock).
@Suite("Flood and password-guessing protection over UDP")
struct ProtectionTests {
    /// 50 requests at once from an untrusted address with rate 5, burst 5: about a burst is answered, the
    /// rest dropped silently and counted; a trusted caller is answered meanwhile; later the address is
    /// answered again (rate-limited, not banned).
    @Test func rateLimitDropsTheExcessSilently() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "rate = 5\nburst = 5"))
        let client = try UDPClient(host: "127.0.0.2")
        let started = Date()
        for index in 0..<50 {
            let request = callRequest(dial: "202", from: "201@acme.example", sequence: 1,
                                      via: "SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-flood-\(index);rport",
                                      callID: "flood-\(index)@test")
            try server.send(request, from: client)
        }
        let counters = server.server.counters
        #expect(server.eventually { counters[.rateLimited] + counters[.requests] == 50 })
        let elapsed = Date().timeIntervalSince(started)
        var answers: [SIPReply] = []
        while let datagram = client.receive(timeout: 500) { answers.append(try #require(SIPReply(datagram.bytes))) }
        #expect(answers.allSatisfy { $0.statusLine == unauthorized })
        // The burst, plus what the bucket refilled (5/s) while the 50 were being handled.
        #expect(answers.count >= 5)
        #expect(answers.count <= 5 + Int((5 * elapsed).rounded(.up)), "answered \(answers.count) in \(elapsed) s")
        #expect(counters[.rateLimited] == 50 - answers.count)
        #expect(counters[.requests] == answers.count)
        #expect(counters[.banned] == 0)

        // A trusted caller is not limited by another address's bucket.
        let trusted = try Phone(server, host: "127.0.0.1")
        #expect(try trusted.send(dial: "202")?.statusLine == moved)

        // One token comes back every 200 ms: after a second the untrusted address is answered again.
        usleep(1_100_000)
        let phone = try Phone(server)
        #expect(try phone.send(dial: "202")?.statusLine == unauthorized)
    }

    /// While one address floods far above its rate, a trusted caller keeps getting prompt answers.
    @Test func trustedCallerIsServedDuringAFlood() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "rate = 5\nburst = 5"))
        let flooder = Flooder(port: server.port)
        defer { flooder.stop() }
        // Wait until the flood is under way.
        #expect(server.eventually { flooder.sent >= 2_000 || flooder.couldNotOpenSocket })
        #expect(!flooder.couldNotOpenSocket)

        let phone = try Phone(server, host: "127.0.0.1")
        var times: [Double] = []
        for _ in 0..<20 {
            let started = Date()
            let reply = try phone.send(dial: "202")
            times.append(Date().timeIntervalSince(started))
            #expect(reply?.statusLine == moved)
            #expect(reply?.value("Contact") == "<sip:202@10.1.0.22:5060>")
        }
        flooder.stop()
        let flood = flooder.sent
        times.sort()
        // Prompt: the median round trip is what an idle debug build needs, none is anywhere near a timeout.
        #expect(times[times.count / 2] < 0.1, "round trips \(times)")
        #expect(times.last! < 1.0, "round trips \(times)")
        #expect(flood > 1_000, "the flood sent \(flood) requests")
        let counters = server.server.counters
        #expect(server.eventually { counters[.rateLimited] > flood / 2 }, "\(counters.summary), flood \(flood)")
    }

    /// auth_failures = 3: after three wrong passwords the address is banned; even a correct request from it
    /// is then dropped silently, while other addresses are still served.
    @Test func repeatedFailuresBanTheAddress() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "auth_failures = 3"))
        let guesser = try Phone(server)
        let challenge = try guesser.challenge(dial: "202", algorithm: .sha256)
        func authorization(_ password: String, _ nc: String) -> [String] {
            [ClientDigest.sha256.authorization(
                user: "201", realm: challenge.realm, password: password, method: "INVITE", uri: "sip:202@127.0.0.1",
                nonce: challenge.nonce, nc: nc)]
        }
        for (index, guess) in ["1234", "password", "201"].enumerated() {
            let reply = try #require(try guesser.send(dial: "202", authorization: authorization(guess, "0000000\(index + 1)")))
            #expect(reply.statusLine == unauthorized, "guess \(index + 1) is answered")
        }
        let counters = server.server.counters
        #expect(counters[.authenticationFailures] == 3)
        #expect(try guesser.sendExpectingSilence(dial: "202", authorization: authorization(SampleCredentials.acme201, "00000004")))
        #expect(try guesser.sendExpectingSilence(dial: "202"))
        #expect(try guesser.sendExpectingSilence("OPTIONS", dial: "202"))
        #expect(server.eventually { counters[.banned] == 3 })

        // Another untrusted address with the right password, and the trusted network: served.
        let other = try Phone(server, host: "127.0.0.3")
        let otherChallenge = try other.challenge(dial: "202", algorithm: .md5)
        let right = ClientDigest.md5.authorization(
            user: "201", realm: otherChallenge.realm, password: SampleCredentials.acme201, method: "INVITE",
            uri: "sip:202@127.0.0.1", nonce: otherChallenge.nonce)
        #expect(try other.send(dial: "202", authorization: [right])?.value("Contact") == "<sip:202@10.1.0.22:5060>")
        #expect(try Phone(server, host: "127.0.0.1").send(dial: "202")?.statusLine == moved)
        #expect(counters[.banned] == 3)
    }

    /// Sources inside a customer's networks are exempt from the rate limit and from bans.
    @Test func trustedNetworksAreExempt() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "rate = 5\nburst = 5\nauth_failures = 1"))
        let client = try UDPClient()
        let count = 200
        for index in 0..<count {
            let request = callRequest(dial: String(100 + index % 100), from: "201@acme.example", sequence: 1,
                                      via: "SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-exempt-\(index);rport",
                                      callID: "exempt-\(index)@test")
            try server.send(request, from: client)
        }
        var callIDs = Set<String>()
        while callIDs.count < count, let datagram = client.receive(timeout: 1_000) {
            let reply = try #require(SIPReply(datagram.bytes))
            #expect(reply.statusLine == moved)
            if let callID = reply.value("Call-ID") { callIDs.insert(callID) }
        }
        #expect(callIDs.count == count)
        // Failed authentications from a trusted address (a caller of an unknown domain behind the SBC)
        // are counted but ban nothing.
        let phone = try Phone(server, host: "127.0.0.1", caller: "201@nobody.example")
        for index in 1...3 {
            let wrong = ClientDigest.sha256.authorization(
                user: "201", realm: "nobody.example", password: "x", method: "INVITE", uri: "sip:202@127.0.0.1",
                nonce: "1.2", nc: "0000000\(index)")
            #expect(try phone.send(dial: "202", authorization: [wrong])?.statusLine == unauthorized)
        }
        #expect(try Phone(server, host: "127.0.0.1").send(dial: "202")?.statusLine == moved)
        let counters = server.server.counters
        #expect(counters[.authenticationFailures] == 3)
        #expect(counters[.rateLimited] == 0)
        #expect(counters[.banned] == 0)
    }
}

/// The same protection with RequestHandler and a hand-moved clock: exact token and ban arithmetic.
@Suite("Rate limits and bans with an injected clock")
struct ProtectionClockTests {
    static func limits(rate: Double = 20, burst: Double = 40, failures: Int = 10, window: Double = 60, ban: Double = 600) -> LimitSettings {
        var limits = LimitSettings()
        limits.rate = rate
        limits.burst = burst
        limits.authFailuresBeforeBan = failures
        limits.failureWindow = window
        limits.banSeconds = ban
        return limits
    }

    @Test func tokenBucketRefillsAtTheRate() throws {
        let rig = try HandlerRig(limits: Self.limits(rate: 5, burst: 5))
        #expect((0..<5).allSatisfy { _ in rig.send()?.statusLine == unauthorized })
        #expect(rig.send() == nil)
        #expect(rig.counters[.rateLimited] == 1)
        // Another address has its own bucket.
        #expect(rig.send(source: "127.0.0.3")?.statusLine == unauthorized)
        // 5 per second: one token after 0.2 s.
        rig.clock.advance(by: 0.2)
        #expect(rig.send()?.statusLine == unauthorized)
        #expect(rig.send() == nil)
        // A long pause refills no more than the burst.
        rig.clock.advance(by: 100)
        #expect((0..<5).allSatisfy { _ in rig.send()?.statusLine == unauthorized })
        #expect(rig.send() == nil)
        #expect(rig.counters[.rateLimited] == 3)
        #expect(rig.counters[.banned] == 0)
        // Dropped requests are not even parsed: they are not counted as requests.
        #expect(rig.counters[.requests] == 12)
    }

    /// Three failures ban for ban_seconds; the ban ends by itself.
    @Test func banExpires() throws {
        let rig = try HandlerRig(limits: Self.limits(failures: 3, ban: 60))
        let challenge = try rig.challenge()
        for index in 1...3 {
            let reply = rig.send(authorization: [rig.authorization(challenge, password: "guess-\(index)", nc: "0000000\(index)")])
            #expect(reply?.statusLine == unauthorized, "failure \(index)")
        }
        #expect(rig.counters[.authenticationFailures] == 3)
        // Banned: even the right password is dropped, and so is a plain request or a keep-alive.
        #expect(rig.send(authorization: [rig.authorization(challenge, nc: "00000004")]) == nil)
        rig.clock.advance(by: 59)
        #expect(rig.send() == nil)
        #expect(rig.send("OPTIONS") == nil)
        #expect(rig.counters[.banned] == 3)
        // Others are served meanwhile.
        #expect(rig.send(source: "127.0.0.3")?.statusLine == unauthorized)
        #expect(rig.send(source: "127.0.0.1")?.statusLine == moved)
        // After ban_seconds the address is served again; the old nonce (still within its lifetime) works.
        rig.clock.set(rig.start + 60)
        #expect(rig.send(authorization: [rig.authorization(challenge, nc: "00000005")])?.statusLine == moved)
        #expect(rig.counters[.banned] == 3)
    }

    /// Failures count within failure_window only: three failures spread over more than the window ban nothing.
    @Test func failuresOutsideTheWindowDoNotBan() throws {
        let rig = try HandlerRig(limits: Self.limits(failures: 3, window: 60))
        let challenge = try rig.challenge()
        func fail(at offset: Double, _ nc: Int) -> String? {
            rig.clock.set(rig.start + offset)
            return rig.send(authorization: [rig.authorization(challenge, password: "wrong", nc: String(format: "%08x", nc))])?.statusLine
        }
        #expect(fail(at: 0, 1) == unauthorized)
        #expect(fail(at: 31, 2) == unauthorized)
        // 62 s after the first failure the window has passed: this is the first of a new window.
        #expect(fail(at: 62, 3) == unauthorized)
        #expect(rig.send(authorization: [rig.authorization(challenge, nc: "00000004")])?.statusLine == moved)
        // Two more within the new window make three: banned.
        #expect(fail(at: 63, 5) == unauthorized)
        #expect(fail(at: 64, 6) == unauthorized)
        #expect(rig.send(authorization: [rig.authorization(challenge, nc: "00000007")]) == nil)
        #expect(rig.counters[.authenticationFailures] == 5)
    }

    /// A stale nonce and a keep-alive are no failures; a 401 without credentials is none either.
    @Test func onlyWrongCredentialsCountAsFailures() throws {
        let rig = try HandlerRig(limits: Self.limits(failures: 2), nonceLifetime: 10)
        let challenge = try rig.challenge()
        for _ in 0..<5 { #expect(rig.send()?.statusLine == unauthorized) }
        rig.clock.advance(by: 11)
        for index in 1...5 {
            let reply = rig.send(authorization: [rig.authorization(challenge, nc: "0000000\(index)")])
            #expect(reply?.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example", stale: true))
        }
        #expect(rig.counters[.authenticationFailures] == 0)
        #expect(rig.counters[.banned] == 0)
    }
}
