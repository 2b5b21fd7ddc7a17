import Auth
import Routing
import SIP

/// Decides whether a request may reach the dial plan: it must come from one of its customer's
/// `networks`, or carry valid digest credentials of one of that customer's extensions whose user is
/// the From user. Everything else gets the same 401 challenge, whatever it dials and whether or not the
/// caller, the extension or the number exists, so that scanners learn nothing.
struct TrustGate: Sendable {
    enum Verdict: Equatable {
        case trusted(CallerIdentityKey)
        /// 401 with these `WWW-Authenticate` values.
        case challenge(realm: String, stale: Bool)
        /// Valid credentials of another user than the From user.
        case identityMismatch
    }

    /// Equatable stand-in for the caller, for tests and logs.
    struct CallerIdentityKey: Equatable {
        let customerID: String
        let authenticatedUser: String?
    }

    let verifier: DigestVerifier

    /// `failed` is called once per presented credential that did not verify (it feeds the ban counter).
    func evaluate(
        _ request: SIPRequest, source: IPAddress, plan: DialPlan, now: Int, failed: () -> Void
    ) -> Verdict {
        let fromHost = request.from.uri?.host ?? ""
        guard let caller = plan.caller(fromHost: fromHost) else {
            // Unknown domain: challenge in the realm the caller named, exactly as for a known one.
            if !request.authorization.isEmpty { failed() }
            return .challenge(realm: ChallengeRealm.forUnknownDomain(fromHost), stale: false)
        }
        if plan.isTrustedSource(source, for: caller) {
            return .trusted(CallerIdentityKey(customerID: caller.customerID, authenticatedUser: nil))
        }
        var stale = false
        for value in request.authorization {
            guard let header = AuthorizationHeader.parse(value), header.realm.lowercased() == caller.realm else { continue }
            let verdict = verifier.verify(
                header, method: request.method, requestURI: request.requestURIText, realm: caller.realm, now: now
            ) { algorithm in
                plan.storedHA1(for: caller, user: header.username, algorithm: algorithm.credentialKey)
            }
            switch verdict {
            case .authenticated(let user):
                guard user == request.from.uri?.user else { return .identityMismatch }
                return .trusted(CallerIdentityKey(customerID: caller.customerID, authenticatedUser: user))
            case .stale:
                stale = true
            case .failed:
                failed()
            }
        }
        if !stale, request.authorization.contains(where: { AuthorizationHeader.parse($0)?.realm.lowercased() != caller.realm }) {
            failed()
        }
        return .challenge(realm: caller.realm, stale: stale)
    }
}
