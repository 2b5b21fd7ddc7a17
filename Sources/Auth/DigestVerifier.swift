/// Checks `Authorization: Digest` responses (RFC 3261 §22.4, RFC 7616 with `qop=auth`) against stored
/// HA1 hashes, with stateless nonces and replay protection.
public final class DigestVerifier: Sendable {
    public enum Verdict: Sendable, Equatable {
        case authenticated(username: String)
        /// Right credentials on an expired nonce: challenge again with `stale=true`.
        case stale
        case failed
    }

    public let nonces: NonceService
    private let replays: ReplayGuard

    public init(nonces: NonceService, replays: ReplayGuard = ReplayGuard()) {
        self.nonces = nonces
        self.replays = replays
    }

    /// `ha1(algorithm)` returns the stored HA1 of `header.username` in `realm`, or nil when there is none.
    /// `requestURI` is the Request-URI as written: the response must cover this very request, or a
    /// captured `Authorization` could be replayed onto another number (a paid trunk).
    public func verify(
        _ header: AuthorizationHeader, method: String, requestURI: String, realm: String, now: Int,
        ha1: (DigestAlgorithm) -> String?
    ) -> Verdict {
        guard header.realm.lowercased() == realm.lowercased(),
              header.uri == requestURI,
              let algorithm = DigestAlgorithm(token: header.algorithm),
              header.qop?.lowercased() == "auth",
              let ncText = header.nc, ncText.utf8.count == 8, let nc = UInt32(ncText, radix: 16),
              let cnonce = header.cnonce, !cnonce.isEmpty,
              let stored = ha1(algorithm)
        else { return .failed }
        let nonceState = nonces.check(header.nonce, now: now)
        guard nonceState != .invalid else { return .failed }
        let expected = Self.response(
            algorithm: algorithm, ha1: stored, nonce: header.nonce, nc: ncText, cnonce: cnonce, method: method,
            uri: header.uri)
        guard constantTimeEqual(expected, header.response.lowercased()) else { return .failed }
        if nonceState == .expired { return .stale }
        // Nonces are per second, not per caller: several phones may share one, each counting from 1.
        let client = "\(header.nonce)\u{0}\(cnonce)\u{0}\(header.username)"
        guard replays.accept(nonce: client, nc: nc) else { return .failed }
        return .authenticated(username: header.username)
    }

    /// response = H(HA1 ":" nonce ":" nc ":" cnonce ":" "auth" ":" H(method ":" uri))
    public static func response(
        algorithm: DigestAlgorithm, ha1: String, nonce: String, nc: String, cnonce: String, method: String, uri: String
    ) -> String {
        let ha2 = algorithm.hex("\(method):\(uri)")
        return algorithm.hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
    }

    /// One `WWW-Authenticate` value per algorithm, SHA-256 first (RFC 8760 §2.4 lists the preferred first).
    /// Quoted values go through `QuotedString`: the realm may come from the request.
    /// `algorithms`: what `[auth] algorithms` offers, in its order (some phones give up on a 401 that
    /// offers anything but MD5, whatever the order).
    public func challenges(realm: String, now: Int, stale: Bool, algorithms: [DigestAlgorithm] = DigestAlgorithm.allCases) -> [String] {
        let nonce = nonces.make(now: now)
        let quotedRealm = QuotedString.quote(realm), quotedNonce = QuotedString.quote(nonce)
        let quotedQop = QuotedString.quote("auth")
        return algorithms.map { algorithm in
            "Digest realm=\(quotedRealm), nonce=\(quotedNonce), algorithm=\(algorithm.rawValue), qop=\(quotedQop)"
                + (stale ? ", stale=true" : "")
        }
    }
}
