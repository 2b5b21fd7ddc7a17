import Crypto
import Foundation

/// The client side of SIP digest authentication (RFC 3261 §22, RFC 7616 / RFC 8760 with `qop=auth`),
/// written independently of the server's Auth module so that the tests check its arithmetic.
enum ClientDigest: String, CaseIterable, Sendable {
    case sha256 = "SHA-256"
    case md5 = "MD5"

    func hex(_ text: String) -> String {
        let bytes = Array(text.utf8)
        switch self {
        case .sha256: return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        case .md5: return Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
    }

    /// response = H(H(user:realm:password) ":" nonce ":" nc ":" cnonce ":auth:" H(method ":" uri))
    func response(
        user: String, realm: String, password: String, method: String, uri: String,
        nonce: String, nc: String, cnonce: String
    ) -> String {
        let ha1 = hex("\(user):\(realm):\(password)")
        let ha2 = hex("\(method):\(uri)")
        return hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
    }

    /// A complete `Authorization` value; `response` overrides the computed one (for forgeries).
    func authorization(
        user: String, realm: String, password: String, method: String, uri: String,
        nonce: String, nc: String = "00000001", cnonce: String = "0a4f113b",
        username: String? = nil
    ) -> String {
        let response = response(
            user: user, realm: realm, password: password, method: method, uri: uri,
            nonce: nonce, nc: nc, cnonce: cnonce)
        return "Digest username=\"\(username ?? user)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(uri)\", "
            + "response=\"\(response)\", algorithm=\(rawValue), qop=auth, nc=\(nc), cnonce=\"\(cnonce)\""
    }
}

/// One `WWW-Authenticate: Digest ...` value, split into its parameters.
struct Challenge: Equatable {
    let realm: String
    let nonce: String
    let algorithm: String
    let qop: String
    let stale: Bool

    init?(_ value: String) {
        guard value.hasPrefix("Digest ") else { return nil }
        var parameters: [String: String] = [:]
        for part in value.dropFirst(7).components(separatedBy: ", ") {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            var parameterValue = String(part[part.index(after: equals)...])
            if parameterValue.hasPrefix("\""), parameterValue.hasSuffix("\""), parameterValue.count >= 2 {
                parameterValue = String(parameterValue.dropFirst().dropLast())
            }
            parameters[String(part[..<equals])] = parameterValue
        }
        guard let realm = parameters["realm"], let nonce = parameters["nonce"], let algorithm = parameters["algorithm"],
            let qop = parameters["qop"]
        else { return nil }
        self.realm = realm
        self.nonce = nonce
        self.algorithm = algorithm
        self.qop = qop
        stale = parameters["stale"] == "true"
    }
}

/// The nonce of every `nonce="..."` replaced by `NONCE` (for comparing challenges).
func maskingNonces(_ text: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let start = rest.range(of: "nonce=\"") {
        result += rest[..<start.upperBound] + "NONCE"
        rest = rest[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { break }
        rest = rest[end...]
    }
    return result + rest
}

/// The two challenge values switchd must send for `realm`, nonces masked, SHA-256 first.
func expectedChallenges(realm: String, stale: Bool = false) -> [String] {
    ["SHA-256", "MD5"].map {
        "Digest realm=\"\(realm)\", nonce=\"NONCE\", algorithm=\($0), qop=\"auth\"" + (stale ? ", stale=true" : "")
    }
}

/// A reply with its nonces masked and the To tag the server added replaced by `TOTAG`: what must be
/// identical between two 401s.
func maskedChallengeText(_ reply: SIPReply) -> String {
    var text = maskingNonces(reply.description)
    if let to = reply.value("To"), let tag = tagParameter(to) {
        text = text.replacingOccurrences(
            of: "To: \(to)", with: "To: " + to.replacingOccurrences(of: ";tag=\(tag)", with: ";tag=TOTAG"))
    }
    return text
}
