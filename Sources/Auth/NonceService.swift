import Crypto

/// Stateless nonces: `<issued-at seconds>.<random salt>.<HMAC-SHA256(secret, issued-at.salt)>` in hex.
/// The server can tell a nonce it made from a forged one, and how old it is, without remembering any
/// nonce it handed out; the salt makes every challenge's nonce unique, so phones challenged in the same
/// second never share a nonce (and its nonce counts).
public struct NonceService: Sendable {
    public enum Check: Sendable, Equatable {
        case fresh
        /// Made by us but older than the lifetime: a correct response earns `stale=true`.
        case expired
        /// Not ours (forged, mangled, or from before a restart with a new secret).
        case invalid
    }

    private let secret: [UInt8]
    public let lifetime: Int

    public init(secret: [UInt8], lifetime: Int = 300) {
        self.secret = secret
        self.lifetime = lifetime
    }

    public static func randomSecret() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    public func make(now: Int) -> String {
        let stamp = "\(String(now, radix: 16)).\(DigestAlgorithm.hex((0..<8).map { _ in UInt8.random(in: 0...255) }))"
        return "\(stamp).\(signature(stamp))"
    }

    public func check(_ nonce: String, now: Int) -> Check {
        let parts = nonce.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count <= 16, parts[1].utf8.count == 16,
            let issued = Int(parts[0], radix: 16)
        else { return .invalid }
        guard constantTimeEqual(signature("\(parts[0]).\(parts[1])"), String(parts[2])) else { return .invalid }
        // A nonce from the future is not one we made with this clock.
        guard issued <= now + 5 else { return .invalid }
        return now - issued <= lifetime ? .fresh : .expired
    }

    private func signature(_ stamp: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stamp.utf8), using: SymmetricKey(data: secret))
        return DigestAlgorithm.hex(mac.prefix(16))
    }
}

/// Compares without an early exit, so response time does not reveal how many leading characters match.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}
