/// The parameters of one `Authorization: Digest ...` header (RFC 3261 §25.1 `digest-response`).
public struct AuthorizationHeader: Sendable, Equatable {
    public var username: String
    public var realm: String
    public var nonce: String
    public var uri: String
    public var response: String
    public var algorithm: String?
    public var qop: String?
    public var nc: String?
    public var cnonce: String?
    public var opaque: String?

    /// Parses a header value; nil when it is not a Digest header or lacks a required parameter.
    public static func parse(_ value: String) -> AuthorizationHeader? {
        var rest = Substring(value).drop { $0 == " " || $0 == "\t" }
        guard rest.prefix(6).lowercased() == "digest" else { return nil }
        rest = rest.dropFirst(6)
        guard rest.first == " " || rest.first == "\t" else { return nil }
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { break }
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let name = rest[..<equals].trimmingSpaces.lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        parsed.append(escaped)
                        rest = rest.dropFirst()
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        parsed.append(character)
                    }
                }
                guard closed else { return nil }
            } else {
                let token = rest.prefix { $0 != "," }
                parsed = String(token.trimmingSpaces)
                rest = rest.dropFirst(token.count)
            }
            // A repeated parameter is ambiguous: refuse rather than pick one.
            guard parameters.updateValue(parsed, forKey: name) == nil else { return nil }
        }
        guard let username = parameters["username"], let realm = parameters["realm"], let nonce = parameters["nonce"],
            let uri = parameters["uri"], let response = parameters["response"]
        else { return nil }
        return AuthorizationHeader(
            username: username, realm: realm, nonce: nonce, uri: uri, response: response,
            algorithm: parameters["algorithm"], qop: parameters["qop"], nc: parameters["nc"],
            cnonce: parameters["cnonce"], opaque: parameters["opaque"])
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = drop { $0 == " " || $0 == "\t" }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
