import Crypto

/// To tags for a stateless server: the same request (and its retransmissions) always gets the same tag,
/// a new request a new one, without keeping state. The tag is keyed with a secret made at start, so it
/// cannot be predicted from outside.
struct ToTagGenerator: Sendable {
    // Raw bytes rather than SymmetricKey, which is not Sendable.
    private let secret: [UInt8]

    init() {
        secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// 16 hex digits from the top Via branch, the From tag, the Call-ID and the CSeq.
    ///
    /// SHA-256 over secret and fields in one call, rather than an HMAC: HMAC's two key blocks and four
    /// updates cost ten times as much per INVITE, and buy nothing here. Only 64 of the 256 bits leave
    /// the server, so the tag cannot be extended (the length-extension weakness needs the whole digest),
    /// and the secret is a full-size random key.
    func tag(branch: String?, fromTag: String?, callID: String?, cseq: String?) -> String {
        var input: [UInt8] = []
        input.reserveCapacity(
            secret.count + 4 + (branch?.utf8.count ?? 0) + (fromTag?.utf8.count ?? 0)
                + (callID?.utf8.count ?? 0) + (cseq?.utf8.count ?? 0))
        input.append(contentsOf: secret)
        for part in [branch, fromTag, callID, cseq] {
            // A separator that cannot occur in these fields keeps ("ab","c") and ("a","bc") apart.
            input.append(contentsOf: (part ?? "").utf8)
            input.append(0)
        }
        let digest = SHA256.hash(data: input)
        return digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 16) { text in
                for index in 0..<8 {
                    text[2 * index] = Self.hexDigits[Int(bytes[index] >> 4)]
                    text[2 * index + 1] = Self.hexDigits[Int(bytes[index] & 0x0F)]
                }
                return 16
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
