import Crypto
import Foundation

/// To tags for a stateless server: the same request (and its retransmissions) always gets the same tag,
/// a new request a new one, without keeping state. The tag is an HMAC under a secret made at start, so
/// it cannot be predicted from outside.
struct ToTagGenerator: Sendable {
    // Raw bytes rather than SymmetricKey, which is not Sendable.
    private let secret: [UInt8]

    init() {
        secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// 16 hex digits from the top Via branch, the From tag, the Call-ID and the CSeq.
    func tag(branch: String?, fromTag: String?, callID: String?, cseq: String?) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        for part in [branch, fromTag, callID, cseq] {
            // A separator that cannot occur in these fields keeps ("ab","c") and ("a","bc") apart.
            hmac.update(data: Array((part ?? "").utf8) + [0])
        }
        let digest = hmac.finalize()
        var text = ""
        text.reserveCapacity(16)
        for byte in digest.prefix(8) {
            text += ToTagGenerator.hex[Int(byte >> 4)]
            text += ToTagGenerator.hex[Int(byte & 0x0F)]
        }
        return text
    }

    private static let hex = (0..<16).map { String($0, radix: 16) }
}
