// The trust gate decides once per request who calls and whether the request may act as that caller:
// networks, digest credentials, or a challenge. Clocks are injected (`now`), nothing sleeps.
import Addressing
import Routing
import Testing

@testable import Server

/// What the rows below present as credentials.
enum PresentedDigest: Sendable, CustomStringConvertible {
    case none
    /// A digest of `user` with `password`, in `realm` (nil: the caller's realm), made on a nonce issued
    /// at time 1000.
    case digest(user: String, password: String, realm: String?)
    case garbage
    case assumedValid

    var description: String {
        switch self {
        case .none: return "no credentials"
        case .digest(let user, let password, let realm): return "digest \(user)/\(password)\(realm.map { " in \($0)" } ?? "")"
        case .garbage: return "an unparsable Authorization"
        case .assumedValid: return "--authenticated"
        }
    }
}

/// What a row expects, written out by hand: the verdict's shape and how many failures fed the ban counter.
enum ExpectedTrust: Equatable, Sendable {
    case trusted(customer: String, user: String?)
    case challenge(realm: String, stale: Bool, reason: ChallengeReason)
    case mismatch(customer: String, user: String)
}

struct TrustRow: Sendable, CustomTestStringConvertible {
    let name: String
    let fromHost: String
    let fromUser: String
    let source: String?
    let credentials: PresentedDigest
    /// When the request arrives; the nonce was issued at 1000 and lives 300 s.
    let now: Int
    let expect: ExpectedTrust
    let failures: Int

    var testDescription: String { name }
}

let trustRows: [TrustRow] = [
    TrustRow(name: "unknown domain, nothing presented", fromHost: "unknown.example", fromUser: "201", source: "192.0.2.1",
             credentials: .none, now: 1000,
             expect: .challenge(realm: "unknown.example", stale: false, reason: .unknownDomain(host: "unknown.example")), failures: 0),
    TrustRow(name: "unknown domain with credentials counts one failure", fromHost: "Unknown.Example", fromUser: "201", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "x", realm: "unknown.example"), now: 1000,
             expect: .challenge(realm: "unknown.example", stale: false, reason: .unknownDomain(host: "Unknown.Example")), failures: 1),
    TrustRow(name: "unknown domain even from a trusted network", fromHost: "hooli.example", fromUser: "201", source: "127.0.0.1",
             credentials: .none, now: 1000,
             expect: .challenge(realm: "hooli.example", stale: false, reason: .unknownDomain(host: "hooli.example")), failures: 0),
    TrustRow(name: "source inside the customer's networks", fromHost: "acme.example", fromUser: "201", source: "10.1.2.3",
             credentials: .none, now: 1000, expect: .trusted(customer: "acme", user: nil), failures: 0),
    TrustRow(name: "domain matched case-insensitively", fromHost: "ACME.Example", fromUser: "201", source: "127.0.0.1",
             credentials: .none, now: 1000, expect: .trusted(customer: "acme", user: nil), failures: 0),
    TrustRow(name: "IPv6 source inside networks", fromHost: "umbrella.example", fromUser: "10", source: "2001:db8:5::7",
             credentials: .none, now: 1000, expect: .trusted(customer: "umbrella", user: nil), failures: 0),
    TrustRow(name: "another customer's network does not trust this one", fromHost: "acme.example", fromUser: "201", source: "10.2.0.1",
             credentials: .none, now: 1000,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("10.2.0.1"))),
             failures: 0),
    TrustRow(name: "outside networks, nothing presented", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .none, now: 1000,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 0),
    TrustRow(name: "no source address", fromHost: "acme.example", fromUser: "201", source: nil, credentials: .none, now: 1000,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: nil)), failures: 0),
    TrustRow(name: "valid digest of the From user", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "acme-201-demo", realm: nil), now: 1010,
             expect: .trusted(customer: "acme", user: "201"), failures: 0),
    TrustRow(name: "valid digest of another user than the From user", fromHost: "acme.example", fromUser: "202", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "acme-201-demo", realm: nil), now: 1010,
             expect: .mismatch(customer: "acme", user: "201"), failures: 0),
    TrustRow(name: "wrong password", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "guess", realm: nil), now: 1010,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 1),
    TrustRow(name: "an extension without stored credentials", fromHost: "acme.example", fromUser: "202", source: "192.0.2.1",
             credentials: .digest(user: "202", password: "acme-201-demo", realm: nil), now: 1010,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 1),
    TrustRow(name: "right password on an expired nonce is stale, not a failure", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "acme-201-demo", realm: nil), now: 1301,
             expect: .challenge(realm: "acme.example", stale: true, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 0),
    TrustRow(name: "credentials for another realm count one failure", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .digest(user: "201", password: "acme-201-demo", realm: "globex.example"), now: 1010,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 1),
    TrustRow(name: "an unparsable Authorization counts one failure", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .garbage, now: 1010,
             expect: .challenge(realm: "acme.example", stale: false, reason: .untrusted(customer: "Acme Corp", source: IPAddress("192.0.2.1"))),
             failures: 1),
    TrustRow(name: "switchd route --authenticated", fromHost: "acme.example", fromUser: "201", source: "192.0.2.1",
             credentials: .assumedValid, now: 1010, expect: .trusted(customer: "acme", user: "201"), failures: 0),
    TrustRow(name: "networks are checked before credentials", fromHost: "globex.example", fromUser: "150", source: "10.2.9.9",
             credentials: .digest(user: "150", password: "wrong", realm: nil), now: 1010,
             expect: .trusted(customer: "globex", user: nil), failures: 0),
]

@Suite("Trust gate: one decision, one caller lookup")
struct TrustGateTests {
    static let plan: DialPlan? = try? ConfigLoader.load(directory: sampleConfDirectory.path).plan

    @Test(arguments: trustRows)
    func decides(_ row: TrustRow) throws {
        let plan = try #require(Self.plan, "conf/ must load")
        let gate = testGate()
        let requestURI = "sip:\(row.fromUser == "202" ? "203" : "202")@\(row.fromHost)"
        let authorization: [String]
        switch row.credentials {
        case .none, .assumedValid:
            authorization = []
        case .garbage:
            authorization = ["Digest this is not a digest"]
        case .digest(let user, let password, let realm):
            let challengeRealm = realm ?? row.fromHost.lowercased()
            let nonce = try #require(Challenge(gate.challenges(realm: challengeRealm, now: 1000, stale: false)[0])?.nonce)
            authorization = [ClientDigest.sha256.authorization(
                user: user, realm: challengeRealm, password: password, method: "INVITE", uri: requestURI, nonce: nonce)]
        }
        let credentials: CallerClaim.Credentials
        if case .assumedValid = row.credentials {
            credentials = .assumedValid
        } else {
            credentials = .presented(authorization: authorization, method: "INVITE", requestURI: requestURI)
        }
        let claim = CallerClaim(fromHost: row.fromHost, fromUser: row.fromUser, source: row.source.flatMap(IPAddress.init), credentials: credentials)
        var failures = 0
        let verdict = gate.identify(claim, plan: plan, now: row.now) { failures += 1 }

        let actual: ExpectedTrust
        switch verdict {
        case .trusted(let caller, let user): actual = .trusted(customer: caller.customerID, user: user)
        case .challenge(let realm, let stale, let reason): actual = .challenge(realm: realm, stale: stale, reason: reason)
        case .identityMismatch(let caller, let user): actual = .mismatch(customer: caller.customerID, user: user)
        }
        #expect(actual == row.expect)
        #expect(failures == row.failures)
    }

    @Test("a trusted verdict carries the very caller the plan knows, for routing without a second lookup")
    func callerIsThePlansCaller() throws {
        let plan = try #require(Self.plan, "conf/ must load")
        let claim = CallerClaim(fromHost: "ACME.Example", fromUser: "201", source: IPAddress("10.1.0.9"), credentials: .presented(authorization: [], method: "INVITE", requestURI: "sip:202@acme.example"))
        guard case .trusted(let caller, nil) = testGate().identify(claim, plan: plan, now: 0, failed: {}) else {
            Issue.record("voice.acme.example from 10.1.0.9 must be trusted as Acme")
            return
        }
        #expect(caller == plan.caller(fromHost: "acme.example"))
        #expect(caller.customerID == "acme")
        #expect(caller.realm == "acme.example")
        #expect(plan.dial("202", as: caller).contact == "sip:202@10.1.0.22:5060")
    }

    @Test("a digest replayed with the same nonce count is refused the second time")
    func replayRefused() throws {
        let plan = try #require(Self.plan, "conf/ must load")
        let gate = testGate()
        let nonce = try #require(Challenge(gate.challenges(realm: "acme.example", now: 1000, stale: false)[0])?.nonce)
        let authorization = ClientDigest.md5.authorization(
            user: "201", realm: "acme.example", password: "acme-201-demo", method: "INVITE", uri: "sip:202@acme.example", nonce: nonce)
        let claim = CallerClaim(
            fromHost: "acme.example", fromUser: "201", source: IPAddress("192.0.2.1"),
            credentials: .presented(authorization: [authorization], method: "INVITE", requestURI: "sip:202@acme.example"))
        var failures = 0
        #expect(gate.identify(claim, plan: plan, now: 1001) { failures += 1 } == .trusted(try #require(plan.caller(fromHost: "acme.example")), authenticatedUser: "201"))
        guard case .challenge(_, stale: false, _) = gate.identify(claim, plan: plan, now: 1002, failed: { failures += 1 }) else {
            Issue.record("a replayed nonce count must be challenged")
            return
        }
        #expect(failures == 1)
    }
}
