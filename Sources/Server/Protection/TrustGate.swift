import Addressing
import Auth
import Routing

/// What a request says about who sends it: the part of it the trust gate reads.
public struct CallerClaim: Sendable {
    public enum Credentials: Sendable {
        /// The request's `Authorization` values; a digest must cover this method and Request-URI text.
        case presented(authorization: [String], method: String, requestURI: String)
        /// `switchd route --authenticated`: as if valid credentials of the From user came with the request.
        case assumedValid
    }

    public var fromHost: String
    public var fromUser: String?
    /// The datagram's source address; nil when unknown (then only credentials can make it trusted).
    public var source: IPAddress?
    public var credentials: Credentials

    public init(fromHost: String, fromUser: String?, source: IPAddress?, credentials: Credentials) {
        self.fromHost = fromHost
        self.fromUser = fromUser
        self.source = source
        self.credentials = credentials
    }
}

/// The trust gate's answer: the caller, identified once, or why the request must be challenged.
public enum TrustVerdict: Sendable, Equatable {
    /// May act as `caller`; `authenticatedUser` is the digest user when credentials made it trusted.
    case trusted(Caller, authenticatedUser: String?)
    /// 401 in `realm`; `stale` when the credentials were right but their nonce had expired.
    case challenge(realm: String, stale: Bool, reason: ChallengeReason)
    /// Valid credentials of `user`, who is not the From user.
    case identityMismatch(Caller, user: String)
}

/// Why a request was challenged, for the log and `switchd route` (never for the wire: every challenge
/// looks the same to the caller).
public enum ChallengeReason: Sendable, Equatable, CustomStringConvertible {
    case unknownDomain(host: String)
    case untrusted(customer: String, source: IPAddress?)

    public var description: String {
        switch self {
        case .unknownDomain(let host):
            return "\(host.isEmpty ? "the empty From host" : host) is no customer's domain, so no credentials can be valid"
        case .untrusted(let customer, let source):
            let origin = source.map { "\($0) is outside \(customer)'s networks" } ?? "no source address was given"
            return "\(origin) and the request carries no valid credentials of \(customer)"
        }
    }
}

/// Decides whether a request may reach the dial plan, and as whom: it must come from one of its
/// customer's `networks`, or carry valid digest credentials of one of that customer's extensions whose
/// user is the From user. Everything else gets the same 401 challenge, whatever it dials and whether or
/// not the caller, the extension or the number exists, so that scanners learn nothing. This is the
/// only place trust is decided; the dial plan routes the caller it is given.
public struct TrustGate: Sendable {
    let verifier: DigestVerifier

    public init(verifier: DigestVerifier) {
        self.verifier = verifier
    }

    /// `failed` is called once per presented credential that did not verify (it feeds the ban counter).
    public func identify(_ claim: CallerClaim, plan: DialPlan, now: Int, failed: () -> Void) -> TrustVerdict {
        guard let caller = plan.caller(fromHost: claim.fromHost) else {
            // Unknown domain: challenge in the realm the caller named, exactly as for a known one.
            if case .presented(let authorization, _, _) = claim.credentials, !authorization.isEmpty { failed() }
            let realm = ChallengeRealm.forUnknownDomain(claim.fromHost)
            return .challenge(realm: realm, stale: false, reason: .unknownDomain(host: claim.fromHost))
        }
        if let source = claim.source, plan.isTrustedSource(source, for: caller) {
            return .trusted(caller, authenticatedUser: nil)
        }
        switch claim.credentials {
        case .assumedValid:
            return .trusted(caller, authenticatedUser: claim.fromUser)
        case .presented(let authorization, let method, let requestURI):
            return verify(authorization, method: method, requestURI: requestURI, claim: claim, caller: caller, plan: plan, now: now, failed: failed)
        }
    }

    private func verify(
        _ authorization: [String], method: String, requestURI: String, claim: CallerClaim, caller: Caller,
        plan: DialPlan, now: Int, failed: () -> Void
    ) -> TrustVerdict {
        var stale = false
        var otherRealm = false
        for value in authorization {
            guard let header = AuthorizationHeader.parse(value), header.realm.lowercased() == caller.realm else {
                otherRealm = true
                continue
            }
            let verdict = verifier.verify(header, method: method, requestURI: requestURI, realm: caller.realm, now: now) {
                algorithm in plan.storedHA1(for: caller, user: header.username, algorithm: algorithm.credentialKey)
            }
            switch verdict {
            case .authenticated(let user):
                guard user == claim.fromUser else { return .identityMismatch(caller, user: user) }
                return .trusted(caller, authenticatedUser: user)
            case .stale:
                stale = true
            case .failed:
                failed()
            }
        }
        // Credentials for another realm (or unreadable ones) count as one failure, unless a stale nonce
        // shows the caller knew the password.
        if !stale, otherRealm { failed() }
        let reason = ChallengeReason.untrusted(customer: caller.name, source: claim.source)
        return .challenge(realm: caller.realm, stale: stale, reason: reason)
    }

    /// The `WWW-Authenticate` values of a 401 (a fresh nonce each time).
    func challenges(realm: String, now: Int, stale: Bool, algorithms: [DigestAlgorithm] = DigestAlgorithm.allCases) -> [String] {
        verifier.challenges(realm: realm, now: now, stale: stale, algorithms: algorithms)
    }
}
