import Auth
import Server

/// A trust gate over a fixed nonce secret, as the daemon builds one (tests of the gate and of the call
/// router use it directly, without sockets).
func testGate(lifetime: Int = 300) -> TrustGate {
    TrustGate(verifier: DigestVerifier(nonces: NonceService(secret: Array("test-secret".utf8), lifetime: lifetime)))
}
