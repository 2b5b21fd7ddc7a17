import Foundation
import Routing
import Server
import Testing

/// Issue 4: an untrusted request (source outside its customer's `networks`, no valid credentials) never
/// reaches the dial plan; it gets one 401 that reveals nothing. All over real UDP from 127.0.0.2, which
/// is in no customer's networks in the sample conf.
@Suite("Authentication over UDP (sample conf)")
struct AuthenticationTests {
    /// The challenge: exactly two WWW-Authenticate values, SHA-256 first, one nonce of the documented form.
    @Test(arguments: ["INVITE", "OPTIONS"])
    func challengeHasBothAlgorithmsInOrder(method: String) throws {
        // The server's clock, so that the nonce's time is known exactly (1,700,000,000 = 0x6553f100).
        let server = try TestServer.sample(clock: ManualClock(1_700_000_000))
        let phone = try Phone(server)
        let reply = try #require(try phone.send(method, dial: "202"))
        #expect(reply.statusLine == unauthorized)
        #expect(reply.headers.map(\.name) == challengeHeaderNames)
        let values = reply.values("WWW-Authenticate")
        #expect(values.map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(reply.values("Contact").isEmpty)
        #expect(reply.value("Content-Length") == "0")
        // <hex seconds>.<16 hex salt>.<32 hex hmac>, issued at the server's time; one nonce for both challenges.
        for challenge in values.compactMap(Challenge.init) {
            let parts = challenge.nonce.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 3, "\(challenge.nonce)")
            #expect(parts.first == "6553f100", "\(challenge.nonce)")
            #expect(parts.count == 3 && parts[1].count == 16 && parts[1].allSatisfy(\.isHexDigit), "\(challenge.nonce)")
            #expect(parts.count == 3 && parts[2].count == 32 && parts[2].allSatisfy(\.isHexDigit), "\(challenge.nonce)")
        }
        #expect(Set(values.compactMap(Challenge.init).map(\.nonce)).count == 1)
        #expect(values.compactMap(Challenge.init).count == 2)
        #expect(server.server.counters[.authenticationFailures] == 0)
    }

    /// A scanner learns nothing: whatever is dialled, whoever calls, from whichever domain, the 401 is the
    /// same but for the nonce, the To tag and (for an unknown domain) the realm, which is the From host.
    @Test func challengeIsTheSameWhateverExists() throws {
        let server = try TestServer.sample()
        let client = try UDPClient(host: "127.0.0.2")
        /// Only the Request-URI and the From vary; Via, To, Call-ID and CSeq stay the same.
        func masked(from caller: String, uri: String) throws -> String {
            var request = TestRequest(vias: ["SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-scan;rport"])
            request.uri = uri
            request.from = "<sip:\(caller)>;tag=scan"
            request.to = "<sip:probe@acme.example>"
            request.callID = "scan@test"
            request.cseq = "1 INVITE"
            let reply = try #require(try server.exchange(request, from: client))
            #expect(reply.statusLine == unauthorized, "\(caller) -> \(uri)")
            #expect(reply.headers.map(\.name) == challengeHeaderNames, "\(caller) -> \(uri)")
            return maskedChallengeText(reply)
        }
        let baseline = try masked(from: "201@acme.example", uri: "sip:202@127.0.0.1")
        #expect(baseline.contains("WWW-Authenticate: " + expectedChallenges(realm: "acme.example")[0] + "\r\n"))
        // Numbers that would be a 302, 404, 484, 403 (trunk of another customer) or a foreign domain for a
        // trusted caller; and a caller with and without credentials.
        for uri in ["sip:201@127.0.0.1", "sip:300@127.0.0.1", "sip:2@127.0.0.1", "sip:95551234@127.0.0.1",
                    "sip:72300@127.0.0.1", "sip:72955@127.0.0.1", "sip:alice@127.0.0.1", "sip:120@globex.example",
                    "sip:201@acme.example"] {
            #expect(try masked(from: "201@acme.example", uri: uri) == baseline, "\(uri)")
        }
        for caller in ["999@acme.example", "202@acme.example", "150@acme.example"] {
            let text = try masked(from: caller, uri: "sip:202@127.0.0.1")
            #expect(text.replacingOccurrences(of: "<sip:\(caller)>", with: "<sip:201@acme.example>") == baseline, "\(caller)")
        }
        // An unknown domain: the same 401 in the realm of the From host (lower-cased).
        for (caller, host) in [("201@nobody.example", "nobody.example"), ("201@NoBody.Example", "NoBody.Example"),
                               ("201@nobody.example:5070", "nobody.example:5070")] {
            let text = try masked(from: caller, uri: "sip:202@127.0.0.1")
            #expect(text.contains("realm=\"nobody.example\""), "\(caller)")
            let normalised = text.replacingOccurrences(of: "<sip:201@\(host)>", with: "<sip:201@acme.example>")
                .replacingOccurrences(of: "realm=\"nobody.example\"", with: "realm=\"acme.example\"")
            #expect(normalised == baseline, "\(caller)")
        }
        // A second domain of a customer: the realm is still the customer's first domain.
        let second = try masked(from: "201@sip.globex.example", uri: "sip:202@127.0.0.1")
        #expect(second.contains("WWW-Authenticate: " + expectedChallenges(realm: "globex.example")[0] + "\r\n"))
        #expect(server.server.counters[.authenticationFailures] == 0)
    }

    /// INVITE -> 401 -> INVITE with Authorization -> 302 with the right Contact, from 127.0.0.2.
    @Test(arguments: [
        (ClientDigest.sha256, "201@acme.example", SampleCredentials.acme201, "202", "<sip:202@10.1.0.22:5060>"),
        (ClientDigest.md5, "201@acme.example", SampleCredentials.acme201, "72300", "<sip:conference@media.globex.example>"),
        (ClientDigest.sha256, "150@globex.example", SampleCredentials.globex150, "71150", "<sip:ceo@10.1.0.50:5060>"),
        (ClientDigest.md5, "150@globex.example", SampleCredentials.globex150, "300", "<sip:conference@media.globex.example>"),
        (ClientDigest.sha256, "300@globex.example", SampleCredentials.globex300, "9123", "<sip:123@gw.globex.example>"),
    ])
    func challengeResponseRoundTrip(algorithm: ClientDigest, caller: String, password: String, number: String, contact: String) throws {
        let server = try TestServer.sample()
        let phone = try Phone(server, caller: caller)
        let challenge = try phone.challenge(dial: number, algorithm: algorithm)
        let realm = String(caller.drop { $0 != "@" }.dropFirst())
        #expect(challenge.realm == realm)
        #expect(challenge.qop == "auth")
        #expect(!challenge.stale)
        let authorization = algorithm.authorization(
            user: phone.user, realm: challenge.realm, password: password, method: "INVITE",
            uri: "sip:\(number)@127.0.0.1", nonce: challenge.nonce)
        let reply = try #require(try phone.send(dial: number, authorization: [authorization]))
        #expect(reply.statusLine == moved)
        #expect(reply.value("Contact") == contact)
        #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Contact", "Server", "Content-Length"])
        #expect(reply.value("CSeq") == "2 INVITE")
        #expect(server.server.counters[.authenticationFailures] == 0)
    }

    /// Authenticated callers get the dial plan's full answer, not only 302s (one nonce, counting up nc,
    /// as a phone that reuses its nonce does).
    @Test func authenticatedCallerGetsTheDialPlansRejections() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server)
        let challenge = try phone.challenge(dial: "300", algorithm: .sha256)
        for (index, (number, host, statusLine)) in [
            ("300", "127.0.0.1", "SIP/2.0 404 Not Found"), ("20", "127.0.0.1", "SIP/2.0 484 Address Incomplete"),
            ("120", "globex.example", "SIP/2.0 403 Domain Of Another Customer"),
        ].enumerated() {
            let authorization = ClientDigest.sha256.authorization(
                user: "201", realm: challenge.realm, password: SampleCredentials.acme201, method: "INVITE",
                uri: "sip:\(number)@\(host)", nonce: challenge.nonce, nc: String(format: "%08x", index + 1))
            let reply = try #require(try phone.send(dial: number, host: host, authorization: [authorization]))
            #expect(reply.statusLine == statusLine, "\(number)")
            #expect(reply.values("WWW-Authenticate").isEmpty && reply.values("Contact").isEmpty, "\(number)")
        }
    }

    /// Wrong password and unknown user: the same 401 as no credentials at all (fresh nonce, no stale),
    /// each counted as an authentication failure.
    @Test func wrongPasswordAndUnknownUserAreChallengedAgain() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server)
        let unauthenticated = try #require(try phone.send(dial: "202"))
        let challenge = try #require(unauthenticated.values("WWW-Authenticate").compactMap(Challenge.init).first)

        let wrong = ClientDigest.sha256.authorization(
            user: "201", realm: challenge.realm, password: "guess", method: "INVITE", uri: "sip:202@127.0.0.1",
            nonce: challenge.nonce)
        let wrongReply = try #require(try phone.send(dial: "202", authorization: [wrong]))
        #expect(wrongReply.statusLine == unauthorized)
        #expect(wrongReply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(server.eventually { server.server.counters[.authenticationFailures] == 1 })

        let unknownPhone = try Phone(server, caller: "999@acme.example")
        let unknown = ClientDigest.md5.authorization(
            user: "999", realm: challenge.realm, password: "anything", method: "INVITE", uri: "sip:202@127.0.0.1",
            nonce: challenge.nonce)
        let unknownReply = try #require(try unknownPhone.send(dial: "202", authorization: [unknown]))
        #expect(unknownReply.statusLine == unauthorized)
        #expect(unknownReply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(server.eventually { server.server.counters[.authenticationFailures] == 2 })

        // Byte for byte the same answer (nonce and To tag masked; CSeq and Via differ only by the sequence).
        let plain = maskedChallengeText(unauthenticated).replacingOccurrences(of: "phone-1", with: "phone-N")
            .replacingOccurrences(of: "CSeq: 1 INVITE", with: "CSeq: N INVITE")
        let wrongText = maskedChallengeText(wrongReply).replacingOccurrences(of: "phone-2", with: "phone-N")
            .replacingOccurrences(of: "CSeq: 2 INVITE", with: "CSeq: N INVITE")
        #expect(wrongText == plain)
        // An unknown user on an unknown domain with credentials: still the challenge.
        let nobody = try Phone(server, caller: "201@nobody.example")
        let forNobody = ClientDigest.sha256.authorization(
            user: "201", realm: "nobody.example", password: SampleCredentials.acme201, method: "INVITE",
            uri: "sip:202@127.0.0.1", nonce: challenge.nonce)
        let nobodyReply = try #require(try nobody.send(dial: "202", authorization: [forNobody]))
        #expect(nobodyReply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "nobody.example"))
    }

    /// Valid credentials of another extension than the From user: 403, no challenge, no Contact.
    @Test func credentialsOfAnotherUserAreForbidden() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server, caller: "300@globex.example")
        let challenge = try phone.challenge(dial: "250", algorithm: .md5)
        let of150 = ClientDigest.md5.authorization(
            user: "150", realm: challenge.realm, password: SampleCredentials.globex150, method: "INVITE",
            uri: "sip:250@127.0.0.1", nonce: challenge.nonce)
        let reply = try #require(try phone.send(dial: "250", authorization: [of150]))
        #expect(reply.statusLine == "SIP/2.0 403 Credentials Of Another User")
        #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Server", "Content-Length"])
        // The From user without a user part is not 150 either.
        // (nc 2: within the same second the challenge may carry the nonce 150 already used with nc 1.)
        let anonymous = try Phone(server, caller: "globex.example")
        let challenge2 = try anonymous.challenge(dial: "250", algorithm: .sha256)
        let of150again = ClientDigest.sha256.authorization(
            user: "150", realm: challenge2.realm, password: SampleCredentials.globex150, method: "INVITE",
            uri: "sip:250@127.0.0.1", nonce: challenge2.nonce, nc: "00000002")
        let anonymousReply = try #require(try anonymous.send(dial: "250", authorization: [of150again]))
        #expect(anonymousReply.statusLine == "SIP/2.0 403 Credentials Of Another User")
    }

    /// A replayed nonce count is refused; the next count on the same nonce is accepted; a lower one is not.
    @Test func replayedNonceCountIsRefused() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server)
        let challenge = try phone.challenge(dial: "202", algorithm: .sha256)
        func authorization(_ nc: String) -> [String] {
            [ClientDigest.sha256.authorization(
                user: "201", realm: challenge.realm, password: SampleCredentials.acme201, method: "INVITE",
                uri: "sip:202@127.0.0.1", nonce: challenge.nonce, nc: nc)]
        }
        #expect(try phone.send(dial: "202", authorization: authorization("00000001"))?.statusLine == moved)
        let replay = try #require(try phone.send(dial: "202", authorization: authorization("00000001")))
        #expect(replay.statusLine == unauthorized)
        #expect(replay.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(try phone.send(dial: "202", authorization: authorization("00000002"))?.statusLine == moved)
        #expect(try phone.send(dial: "202", authorization: authorization("00000001"))?.statusLine == unauthorized)
        #expect(try phone.send(dial: "202", authorization: authorization("0000000a"))?.statusLine == moved)
    }

    /// Nonces the server did not make: forged signature, bare numbers, another server's nonce.
    @Test func forgedNoncesAreChallenged() throws {
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "auth_failures = 100"))
        let other = try TestServer.sample()
        let phone = try Phone(server)
        let otherPhone = try Phone(other)
        let genuine = try phone.challenge(dial: "202", algorithm: .sha256)
        let issued = String(genuine.nonce.prefix { $0 != "." })
        let signature = String(genuine.nonce.drop { $0 != "." }.dropFirst())
        let flipped = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
        let foreign = try otherPhone.challenge(dial: "202", algorithm: .sha256).nonce
        for nonce in ["\(issued).\(flipped)", "\(issued).", issued, "\(issued).\(signature).x", "ffffffff.\(signature)",
                      "", "0.\(signature)", foreign] {
            let authorization = ClientDigest.sha256.authorization(
                user: "201", realm: "acme.example", password: SampleCredentials.acme201, method: "INVITE",
                uri: "sip:202@127.0.0.1", nonce: nonce)
            let reply = try #require(try phone.send(dial: "202", authorization: [authorization]), "\(nonce)")
            #expect(reply.statusLine == unauthorized, "\(nonce)")
            #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"), "\(nonce)")
        }
        // The genuine nonce still works.
        let good = ClientDigest.sha256.authorization(
            user: "201", realm: "acme.example", password: SampleCredentials.acme201, method: "INVITE",
            uri: "sip:202@127.0.0.1", nonce: genuine.nonce)
        #expect(try phone.send(dial: "202", authorization: [good])?.statusLine == moved)
    }

    /// Credentials that are right in every respect but one are all refused with the same 401.
    @Test func malformedOrMismatchedCredentialsAreChallenged() throws {
        // Ten failures would ban 127.0.0.2 under the default limits.
        let server = try TestServer(conf: TempConfDirectory.sample(limits: "auth_failures = 100"))
        let phone = try Phone(server)
        let challenge = try phone.challenge(dial: "202", algorithm: .sha256)
        let right = ClientDigest.sha256.authorization(
            user: "201", realm: "acme.example", password: SampleCredentials.acme201, method: "INVITE",
            uri: "sip:202@127.0.0.1", nonce: challenge.nonce)
        let variants: [(String, String)] = [
            ("realm of another customer", ClientDigest.sha256.authorization(
                user: "201", realm: "globex.example", password: SampleCredentials.acme201, method: "INVITE",
                uri: "sip:202@127.0.0.1", nonce: challenge.nonce)),
            ("response for another method", ClientDigest.sha256.authorization(
                user: "201", realm: "acme.example", password: SampleCredentials.acme201, method: "REGISTER",
                uri: "sip:202@127.0.0.1", nonce: challenge.nonce)),
            ("SHA-256 response labelled MD5", right.replacingOccurrences(of: "algorithm=SHA-256", with: "algorithm=MD5")),
            ("unknown algorithm", right.replacingOccurrences(of: "algorithm=SHA-256", with: "algorithm=SHA-512-256")),
            ("no qop", right.replacingOccurrences(of: ", qop=auth", with: "")),
            ("qop auth-int", right.replacingOccurrences(of: "qop=auth", with: "qop=auth-int")),
            ("no cnonce", right.replacingOccurrences(of: ", cnonce=\"0a4f113b\"", with: "")),
            ("short nc", right.replacingOccurrences(of: "nc=00000001", with: "nc=1")),
            ("Basic", "Basic MjAxOmFjbWUtMjAxLWRlbW8="),
            ("not a header", "Digest"),
        ]
        for (name, authorization) in variants {
            let reply = try #require(try phone.send(dial: "202", authorization: [authorization]), "\(name)")
            #expect(reply.statusLine == unauthorized, "\(name)")
            #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"), "\(name)")
        }
        #expect(server.server.counters[.authenticationFailures] == variants.count)
        // None of these used up the nonce count: the right one still passes.
        #expect(try phone.send(dial: "202", authorization: [right])?.statusLine == moved)
    }

    /// The digest `uri` must name the Request-URI (RFC 2617 §3.2.2.5): otherwise a man in the middle could
    /// keep a phone's Authorization and change the number it dials, e.g. to a paid trunk.
    @Test func credentialsForAnotherRequestURIAreRefused() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server)
        let challenge = try phone.challenge(dial: "202", algorithm: .sha256)
        let for202 = ClientDigest.sha256.authorization(
            user: "201", realm: "acme.example", password: SampleCredentials.acme201, method: "INVITE",
            uri: "sip:202@127.0.0.1", nonce: challenge.nonce)
        let reply = try #require(try phone.send(dial: "0044201234", authorization: [for202]))
        #expect(reply.statusLine == unauthorized)
        #expect(reply.values("Contact").isEmpty)
    }

    /// The SHA-256-only extension cannot authenticate with MD5.
    @Test func md5IsRefusedWithoutAnMD5Hash() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server, caller: "300@globex.example")
        let challenge = try phone.challenge(dial: "150", algorithm: .md5)
        let md5 = ClientDigest.md5.authorization(
            user: "300", realm: challenge.realm, password: SampleCredentials.globex300, method: "INVITE",
            uri: "sip:150@127.0.0.1", nonce: challenge.nonce)
        #expect(try phone.send(dial: "150", authorization: [md5])?.statusLine == unauthorized)
        let sha = ClientDigest.sha256.authorization(
            user: "300", realm: challenge.realm, password: SampleCredentials.globex300, method: "INVITE",
            uri: "sip:150@127.0.0.1", nonce: challenge.nonce)
        let reply = try #require(try phone.send(dial: "150", authorization: [sha]))
        #expect(reply.statusLine == moved)
        #expect(reply.value("Contact") == "<sip:150@pbx.globex.example>")
    }

    /// ACK and CANCEL are never challenged (nor answered): silence, whatever their From and credentials.
    @Test(arguments: ["ACK", "CANCEL"])
    func ackAndCancelAreNeverChallenged(method: String) throws {
        let server = try TestServer.sample()
        for caller in ["201@acme.example", "201@nobody.example", "999@globex.example"] {
            let phone = try Phone(server, caller: caller)
            #expect(try phone.sendExpectingSilence(method, dial: "202"), "\(method) from \(caller)")
            let bogus = ClientDigest.md5.authorization(
                user: phone.user, realm: "acme.example", password: "x", method: method, uri: "sip:202@127.0.0.1",
                nonce: "1.2")
            #expect(try phone.sendExpectingSilence(method, dial: "202", authorization: [bogus]), "\(method) from \(caller)")
        }
        #expect(server.eventually { server.server.counters[.requests] == 6 })
        #expect(server.server.counters[.responsesSent] == 0)
        #expect(server.server.counters[.authenticationFailures] == 0)
    }

    /// An OPTIONS keep-alive without a user part from an untrusted address: 200, and nothing in it but
    /// the echoed headers and the server's fixed ones, the same whoever asks.
    @Test func keepAliveFromAnUntrustedAddressRevealsNothing() throws {
        let server = try TestServer.sample()
        let client = try UDPClient(host: "127.0.0.2")
        var generated: [[String]] = []
        for (index, (uri, from)) in [("sip:127.0.0.1", "<sip:201@acme.example>;tag=k"), ("sip:acme.example", "<sip:acme.example>;tag=k"),
                                      ("sip:127.0.0.1:5060", "<sip:scanner@nobody.example>;tag=k"),
                                      ("sip:globex.example", "<sip:100@127.0.0.2>;tag=k")].enumerated() {
            var request = TestRequest(vias: ["SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-ka-\(index);rport"])
            request.method = "OPTIONS"
            request.uri = uri
            request.from = from
            request.to = "<\(uri)>"
            request.cseq = "1 OPTIONS"
            let reply = try #require(try server.exchange(request, from: client))
            #expect(reply.statusLine == "SIP/2.0 200 OK", "\(uri)")
            #expect(reply.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Allow", "Accept", "Supported", "Server", "Content-Length"], "\(uri)")
            #expect(!reply.description.lowercased().contains("realm"), "\(uri)")
            #expect(!reply.description.contains("globex") || uri.contains("globex"), "\(uri)")
            generated.append(reply.headers.dropFirst(5).map { "\($0.name): \($0.value)" })
        }
        #expect(generated.allSatisfy { $0 == ["Allow: INVITE, ACK, CANCEL, OPTIONS, REGISTER", "Accept: application/sdp", "Supported: ",
                                               "Server: switchd", "Content-Length: 0"] })
        #expect(server.server.counters[.authenticationFailures] == 0)
    }

    /// REGISTER (what svwar -m REGISTER sends) from an untrusted address gets the same 401 as an INVITE,
    /// the same for an existing and a non-existing extension: a scanner learns nothing.
    @Test func registerFromAnUntrustedAddressIsChallengedAlike() throws {
        let server = try TestServer.sample()
        let client = try UDPClient(host: "127.0.0.2")
        var texts: [String] = []
        for user in ["201", "999"] {
            var request = TestRequest(vias: ["SIP/2.0/UDP \(client.sentBy);branch=z9hG4bK-reg;rport"])
            request.method = "REGISTER"
            request.uri = "sip:acme.example"
            request.from = "<sip:\(user)@acme.example>;tag=reg"
            request.to = "<sip:\(user)@acme.example>"
            request.callID = "reg@test"
            request.cseq = "1 REGISTER"
            let reply = try #require(try server.exchange(request, from: client))
            #expect(reply.statusLine == "SIP/2.0 401 Unauthorized")
            #expect(reply.value("Allow") == nil)
            #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
            texts.append(maskedChallengeText(reply).replacingOccurrences(of: "\(user)@acme.example", with: "USER@acme.example"))
        }
        #expect(texts[0] == texts[1])
    }

    /// Trusted networks need no credentials, even when a request carries wrong ones.
    @Test func trustedNetworkNeedsNoCredentials() throws {
        let server = try TestServer.sample()
        let phone = try Phone(server, host: "127.0.0.1")
        #expect(try phone.send(dial: "202")?.value("Contact") == "<sip:202@10.1.0.22:5060>")
        let wrong = ClientDigest.sha256.authorization(
            user: "201", realm: "acme.example", password: "wrong", method: "INVITE", uri: "sip:202@127.0.0.1", nonce: "1.2")
        #expect(try phone.send(dial: "202", authorization: [wrong])?.value("Contact") == "<sip:202@10.1.0.22:5060>")
        // The trusted address is trusted for its customers only: an unknown domain is still challenged.
        let unknown = try Phone(server, host: "127.0.0.1", caller: "201@nobody.example")
        let reply = try #require(try unknown.send(dial: "202"))
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "nobody.example"))
    }
}

/// Nonce lifetime, stale nonces and clock edges, with RequestHandler and a hand-moved clock.
@Suite("Nonces with an injected clock")
struct NonceClockTests {
    @Test func nonceIsValidForItsLifetimeThenStale() throws {
        let rig = try HandlerRig(nonceLifetime: 300)
        let challenge = try rig.challenge()
        #expect(challenge.nonce.hasPrefix(String(Int(rig.start), radix: 16) + "."))
        // Exactly at the end of its lifetime: still good.
        rig.clock.set(rig.start + 300)
        #expect(rig.send(authorization: [rig.authorization(challenge)])?.statusLine == moved)
        // One second later, with a correct response: 401 with stale=true on both challenges.
        rig.clock.set(rig.start + 301)
        let stale = try #require(rig.send(authorization: [rig.authorization(challenge, nc: "00000002")]))
        #expect(stale.statusLine == unauthorized)
        #expect(stale.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example", stale: true))
        #expect(stale.headers.map(\.name) == challengeHeaderNames)
        // A stale nonce is no authentication failure.
        #expect(rig.counters[.authenticationFailures] == 0)
        // The new nonce is fresh: answering it gets through.
        let fresh = try #require(stale.values("WWW-Authenticate").compactMap(Challenge.init).first)
        #expect(fresh.nonce.hasPrefix(String(Int(rig.start + 301), radix: 16) + "."))
        #expect(rig.send(authorization: [rig.authorization(fresh)])?.statusLine == moved)
    }

    /// Two callers challenged within the same second each answer their fresh challenge with nc=00000001,
    /// as every phone does: both must get through, and so must the same phone calling again right away
    /// (every challenge carries its own salted nonce). Otherwise every second caller in a busy second is
    /// refused, and each refusal counts towards a ban.
    @Test func callersChallengedInTheSameSecondAllAuthenticate() throws {
        let rig = try HandlerRig()
        let acme = try rig.challenge(from: "201@acme.example", source: "127.0.0.2")
        let globex = try rig.challenge(from: "150@globex.example", source: "127.0.0.3")
        let first = rig.send(from: "201@acme.example", source: "127.0.0.2", authorization: [rig.authorization(acme)])
        #expect(first?.statusLine == moved)
        let second = rig.send(from: "150@globex.example", source: "127.0.0.3", authorization: [
            rig.authorization(globex, user: "150", password: SampleCredentials.globex150),
        ])
        #expect(second?.statusLine == moved, "another caller, same second: \(second?.statusLine ?? "no answer")")
        let again = try rig.challenge(from: "201@acme.example", source: "127.0.0.2")
        let third = rig.send(from: "201@acme.example", source: "127.0.0.2", authorization: [rig.authorization(again)])
        #expect(third?.statusLine == moved, "the same phone's next call: \(third?.statusLine ?? "no answer")")
        #expect(rig.counters[.authenticationFailures] == 0)
    }

    /// A wrong password on an expired nonce is no reason for stale=true.
    @Test func wrongResponseOnExpiredNonceIsNotStale() throws {
        let rig = try HandlerRig(nonceLifetime: 60)
        let challenge = try rig.challenge(algorithm: .md5)
        rig.clock.advance(by: 61)
        let reply = try #require(rig.send(authorization: [rig.authorization(challenge, password: "wrong", algorithm: .md5)]))
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(rig.counters[.authenticationFailures] == 1)
    }

    /// A nonce signed with the same secret but issued in the future (a clock far ahead) is not accepted.
    @Test func nonceFromTheFutureIsRefused() throws {
        let rig = try HandlerRig()
        let ahead = try HandlerRig(start: rig.start + 120)
        let future = try ahead.challenge()
        let reply = try #require(rig.send(authorization: [rig.authorization(future)]))
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        // The same nonce once its time has come: accepted (same secret).
        rig.clock.set(rig.start + 120)
        #expect(rig.send(authorization: [rig.authorization(future)])?.statusLine == moved)
    }

    /// A nonce of a server with another secret (e.g. before a restart) is invalid, not stale.
    @Test func nonceOfAnotherSecretIsInvalid() throws {
        let rig = try HandlerRig()
        let restarted = try HandlerRig(secret: Array(repeating: 0x33, count: 32))
        let old = try rig.challenge()
        let reply = try #require(restarted.send(authorization: [restarted.authorization(old)]))
        #expect(reply.values("WWW-Authenticate").map(maskingNonces) == expectedChallenges(realm: "acme.example"))
        #expect(restarted.counters[.authenticationFailures] == 1)
    }
}
