import Crypto

/// The digest algorithms switchd offers (RFC 8760): SHA-256 first, MD5 for phones that know nothing
/// newer. Both are computed over UTF-8 text and written as lower-case hex.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256 = "SHA-256"
    case md5 = "MD5"

    /// The token as it appears in `algorithm=`; matching is case-insensitive (RFC 7616 §3.3).
    public init?(token: String?) {
        switch token?.uppercased() {
        case nil, "MD5": self = .md5  // RFC 2617: no algorithm parameter means MD5
        case "SHA-256": self = .sha256
        default: return nil
        }
    }

    /// The key used for this algorithm's HA1 in a customer's `[credentials]`.
    public var credentialKey: String {
        switch self {
        case .sha256: return "sha256"
        case .md5: return "md5"
        }
    }

    public func hex(_ text: String) -> String {
        let bytes = Array(text.utf8)
        switch self {
        case .sha256: return Self.hex(SHA256.hash(data: bytes))
        case .md5: return Self.hex(Insecure.MD5.hash(data: bytes))
        }
    }

    /// HA1 = H(username ":" realm ":" password), what a customer file stores instead of the password.
    public func ha1(username: String, realm: String, password: String) -> String {
        hex("\(username):\(realm):\(password)")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in digest {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
