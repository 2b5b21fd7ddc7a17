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
    private let sentCount = Mutex(0)
    private let socketFailed = Mutex(false)
    /// Signalled once: when `underwayAfter` requests have been sent, or when the thread ends before that
    /// (no socket, or stopped early), so that a waiting test never waits out its whole timeout for nothing.
    private let underway = DispatchSemaphore(value: 0)
    /// Entered before the thread starts and left when it ends: `stop` joins the thread on it.
    private let running = DispatchGroup()
    private let threshold: Int

    init(port: UInt16, underwayAfter threshold: Int = 2_000) {
        self.threshold = threshold
        running.enter()
        let thread = Thread { [self] in
            defer { running.leave() }
            guard let client = try? UDPClient(host: "127.0.0.2") else {
                socketFailed.withLock { $0 = true }
                underway.signal()
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
                if count == threshold {
                    sentCount.withLock { $0 = count }
                    underway.signal()
                }
            }
            sentCount.withLock { $0 = count }
            if count < threshold { underway.signal() }
        }
        thread.start()
    }

    var sent: Int { sentCount.withLock { $0 } }
    var couldNotOpenSocket: Bool { socketFailed.withLock { $0 } }

    /// True once the flood has sent `underwayAfter` requests; false when it could not start or `seconds` passed.
    func waitUntilUnderway(timeout seconds: Double) -> Bool {
        underway.wait(timeout: .now() + seconds) == .success && sent >= threshold
    }

    /// Stops the thread and joins it; false when it has not ended within `seconds` (a send stuck in the kernel).
    @discardableResult
    func stop(timeout seconds: Double = 10) -> Bool {
        stopped.withLock { $0 = true }
        return running.wait(timeout: .now() + seconds) == .success
    }
}

/// Per-address rate limits and bans, over real UDP. Where counts matter the server runs on a clock the
/// test holds still (`ManualClock`): no bucket refills while the test sends, so the counts are exact
/// whatever the machine's speed, and a refill is a step of the test rather than a sleep.
@Suite("Flood and password-guessing protection over UDP")
struct ProtectionTests {
    /// 50 requests at once from an untrusted address with rate 5, burst 5 and the clock still: exactly the
    /// burst is answered, the other 45 are dropped silently and counted; a trusted caller is answered
    /// meanwhile; a second later exactly 5 more are answered (rate-limited, not banned).
    @Test func rateLimitDropsTheExcessSilently() throws {
        let clock = ManualClock()
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "rate = 5\nburst = 5"), clock: clock)
        let client = try UDPClient(host: "127.0.0.2")
        let counters = server.server.counters
        func flood(_ count: Int, _ name: String) throws {
            for index in 0..<count {
                let request = callRequest(dial: "202", from: "201@acme.example", sequence: 1,
                                          via: "SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-\(name)-\(index);rport",
                                          callID: "\(name)-\(index)@test")
                try server.send(request, from: client)
            }
        }
        /// The next `count` answers to the flooding client (a generous wait each: a busy run may be slow),
        /// then silence.
        func answers(_ count: Int) throws -> [SIPReply] {
            var replies: [SIPReply] = []
            while replies.count < count, let datagram = client.receive(timeout: 10_000) {
                replies.append(try #require(SIPReply(datagram.bytes)))
            }
            #expect(client.isSilent(), "more than \(count) answers")
            return replies
        }

        try flood(50, "flood")
        // Each datagram is either handled (counted as a request) or dropped by the limiter before parsing:
        // once the two add up to 50 every one has been seen, and the split is final.
        #expect(server.eventually { counters[.rateLimited] + counters[.requests] == 50 }, "\(counters.summary)")
        #expect(counters[.requests] == 5)
        #expect(counters[.rateLimited] == 45)
        let first = try answers(5)
        #expect(first.count == 5)
        #expect(first.allSatisfy { $0.statusLine == unauthorized })
        #expect(Set(first.compactMap { $0.value("Call-ID") }).count == 5, "five different requests answered")

        // A trusted caller is not limited by another address's bucket.
        let trusted = try Phone(server, host: "127.0.0.1")
        let reply = try #require(try trusted.send(dial: "202"))
        #expect(reply.statusLine == moved)
        #expect(reply.value("Contact") == "<sip:202@10.1.0.22:5060>")

        // One second at 5 per second: exactly 5 tokens, however long the test has taken so far.
        clock.advance(by: 1)
        try flood(10, "later")
        #expect(server.eventually { counters[.rateLimited] + counters[.requests] == 61 }, "\(counters.summary)")
        #expect(counters[.requests] == 11)
        #expect(counters[.rateLimited] == 50)
        let later = try answers(5)
        #expect(later.count == 5)
        #expect(later.allSatisfy { $0.statusLine == unauthorized })

        // A quarter of a second is 1.25 tokens: one more answer (a new socket on the same address shares
        // its bucket), and the quarter token is not enough for another.
        clock.advance(by: 0.25)
        let phone = try Phone(server)
        #expect(try phone.send(dial: "202")?.statusLine == unauthorized)
        #expect(try phone.sendExpectingSilence(dial: "202"))
        #expect(server.eventually { counters[.rateLimited] == 51 }, "\(counters.summary)")
        #expect(counters[.requests] == 12)
        #expect(counters[.banned] == 0)
    }

    /// While one address floods far above its rate, a trusted caller keeps getting its 302 with the right
    /// Contact, and the flood is dropped by the limiter. The clock is held still, so the flood gets its
    /// burst of 5 and not one request more, however fast or slow the machine.
    @Test func trustedCallerIsServedDuringAFlood() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "rate = 5\nburst = 5"), clock: ManualClock())
        let flooder = Flooder(port: server.port, underwayAfter: 2_000)
        defer { flooder.stop() }
        try #require(flooder.waitUntilUnderway(timeout: 30), "the flood did not get under way (no socket: \(flooder.couldNotOpenSocket))")

        let phone = try Phone(server, host: "127.0.0.1")
        for call in 1...20 {
            try server.send(phone.request(dial: "202"), from: phone.client)
            // Generous: the request queues behind the flood; what matters is that it is answered at all.
            let datagram = try #require(phone.client.receive(timeout: 10_000), "call \(call) was not answered")
            let reply = try #require(SIPReply(datagram.bytes))
            #expect(reply.statusLine == moved, "call \(call)")
            #expect(reply.value("Contact") == "<sip:202@10.1.0.22:5060>", "call \(call)")
            // This call's answer, not a late one to an earlier call.
            #expect(reply.value("CSeq") == "\(call) INVITE")
        }
        #expect(flooder.stop(), "the flood thread did not end")
        let flood = flooder.sent
        #expect(flood >= 2_000)
        let counters = server.server.counters
        // Handled: the 20 calls and the flood's burst of 5; all the rest of the flood that reached the
        // socket was dropped by the limiter (the kernel may drop some when the socket buffer is full, so
        // that part is a range, not a count).
        #expect(server.eventually { counters[.requests] == 25 }, "\(counters.summary)")
        #expect(counters[.rateLimited] >= 1 && counters[.rateLimited] <= flood - 5, "\(counters.summary), flood \(flood)")
        #expect(counters[.banned] == 0)
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
