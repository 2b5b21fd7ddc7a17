import Testing

@testable import Auth

struct VerifierTests {
    let verifier = DigestVerifier(nonces: NonceService(secret: Array(repeating: 7, count: 32), lifetime: 300))
    let realm = "acme.example"
    let password = "correct horse battery staple"

    func header(
        _ algorithm: DigestAlgorithm, nonce: String, nc: String = "00000001", password: String? = nil, user: String = "201"
    ) -> AuthorizationHeader {
        let ha1 = algorithm.ha1(username: user, realm: realm, password: password ?? self.password)
        let response = DigestVerifier.response(
            algorithm: algorithm, ha1: ha1, nonce: nonce, nc: nc, cnonce: "c0ffee", method: "INVITE", uri: "sip:9555@acme.example"
        )
        return AuthorizationHeader(
            username: user, realm: realm, nonce: nonce, uri: "sip:9555@acme.example", response: response,
            algorithm: algorithm.rawValue, qop: "auth", nc: nc, cnonce: "c0ffee", opaque: nil)
    }

    func verify(_ header: AuthorizationHeader, now: Int) -> DigestVerifier.Verdict {
        verifier.verify(header, method: "INVITE", requestURI: "sip:9555@acme.example", realm: realm, now: now) { algorithm in
            algorithm.ha1(username: "201", realm: realm, password: password)
        }
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func rightPasswordAuthenticates(_ algorithm: DigestAlgorithm) {
        let nonce = verifier.nonces.make(now: 1_000)
        #expect(verify(header(algorithm, nonce: nonce), now: 1_010) == .authenticated(username: "201"))
    }

    @Test func wrongPasswordFails() {
        let nonce = verifier.nonces.make(now: 1_000)
        #expect(verify(header(.sha256, nonce: nonce, password: "guess"), now: 1_010) == .failed)
    }

    @Test func replayedNonceCountIsRefused() {
        let nonce = verifier.nonces.make(now: 1_000)
        #expect(verify(header(.md5, nonce: nonce, nc: "00000001"), now: 1_010) == .authenticated(username: "201"))
        #expect(verify(header(.md5, nonce: nonce, nc: "00000001"), now: 1_011) == .failed)
        #expect(verify(header(.md5, nonce: nonce, nc: "00000002"), now: 1_012) == .authenticated(username: "201"))
    }

    @Test func responseForAnotherRequestURIFails() {
        let nonce = verifier.nonces.make(now: 1_000)
        let captured = header(.sha256, nonce: nonce)
        let result = verifier.verify(captured, method: "INVITE", requestURI: "sip:900123@acme.example", realm: realm, now: 1_001)
        { algorithm in
            algorithm.ha1(username: "201", realm: realm, password: password)
        }
        #expect(result == .failed)
    }

    @Test func twoClientsMayCountOnTheSameNonce() {
        let nonce = verifier.nonces.make(now: 1_000)
        var other = header(.sha256, nonce: nonce)
        other.cnonce = "d00d"
        let ha1 = DigestAlgorithm.sha256.ha1(username: "201", realm: realm, password: password)
        other.response = DigestVerifier.response(
            algorithm: .sha256, ha1: ha1, nonce: nonce, nc: "00000001", cnonce: "d00d", method: "INVITE",
            uri: "sip:9555@acme.example")
        #expect(verify(header(.sha256, nonce: nonce), now: 1_001) == .authenticated(username: "201"))
        #expect(verify(other, now: 1_001) == .authenticated(username: "201"))
    }

    @Test func expiredNonceWithRightPasswordIsStale() {
        let nonce = verifier.nonces.make(now: 1_000)
        #expect(verify(header(.sha256, nonce: nonce), now: 1_301) == .stale)
        #expect(verify(header(.sha256, nonce: nonce, password: "guess"), now: 1_301) == .failed)
    }

    @Test func forgedNonceFails() {
        let forged = "3e8.0000000000000000.00000000000000000000000000000000"
        #expect(verifier.nonces.check(forged, now: 1_000) == .invalid)
        #expect(verifier.nonces.check("3e8.00000000000000000000000000000000", now: 1_000) == .invalid)
        // A real nonce with its time changed (to stretch its life) no longer verifies.
        let real = verifier.nonces.make(now: 1_000)
        #expect(verifier.nonces.check("3e9" + real.dropFirst(3), now: 1_000) == .invalid)
        #expect(verify(header(.sha256, nonce: forged), now: 1_000) == .failed)
        let other = NonceService(secret: Array(repeating: 8, count: 32)).make(now: 1_000)
        #expect(verifier.nonces.check(other, now: 1_000) == .invalid)
    }

    @Test func challengesOfferSHA256First() {
        let values = verifier.challenges(realm: realm, now: 1_000, stale: true)
        // One nonce for both challenges: <hex time>.<16 hex salt>.<32 hex HMAC>.
        let nonce = String(values[0].split(separator: "\"")[3])
        #expect(nonce.hasPrefix("3e8.") && nonce.count == 3 + 1 + 16 + 1 + 32)
        #expect(verifier.nonces.check(nonce, now: 1_000) == .fresh)
        #expect(nonce != verifier.nonces.make(now: 1_000), "every challenge gets its own nonce")
        #expect(
            values == [
                "Digest realm=\"acme.example\", nonce=\"\(nonce)\", algorithm=SHA-256, qop=\"auth\", stale=true",
                "Digest realm=\"acme.example\", nonce=\"\(nonce)\", algorithm=MD5, qop=\"auth\", stale=true",
            ])
    }

    @Test func boundedTableForgetsOldestKeys() {
        var table = BoundedTable<Int, Int>(capacity: 3)
        for key in 0..<10 { table[key] = key }
        #expect(table.count == 3)
        #expect(table[6] == nil)
        #expect(table[7] == 7 && table[8] == 8 && table[9] == 9)
    }
}
