/// A `sip:`/`sips:` URI text cut where its host is: `scheme:[userinfo@]host[rest]`, every part as
/// written. The one place the configuration (trunk gateways, contacts), the dial plan (the hosts of its
/// trunks) and the registrar (Contacts) find a URI's host; the SIP module, which may import nothing
/// but COsip, reads the URIs of a request with its own byte parser.
///
/// Not a full RFC 3261 §19.1 parser: it checks the scheme and that a host is there, and reads the port
/// only when asked (`hostPort`: a gateway template's host is found whatever its port looks like); the
/// host is not judged here (`HostName`).
public struct SIPURIParts: Sendable, Equatable {
    /// `sip` or `sips`, lowercased.
    public var scheme: String
    /// Everything between `scheme:` and `@` (user and, if any, `:password`), as written; nil without `@`.
    public var userinfo: Substring?
    /// As written: a name, dotted IPv4, or bracketed IPv6 (`[2001:db8::1]`); never empty.
    public var host: Substring
    /// What follows the host: empty, or starting with `:`, `;` or `?`.
    public var rest: Substring

    public enum Problem: Error, Equatable {
        case unsupportedScheme
        case missingHost
        /// `:` after the host, not followed by a decimal port of at most 65535 (`hostPort` only).
        case badPort
    }

    public static func split(_ text: String) -> Result<SIPURIParts, Problem> {
        guard let colon = text.firstIndex(of: ":") else { return .failure(.unsupportedScheme) }
        let scheme = text[..<colon].lowercased()
        guard scheme == "sip" || scheme == "sips" else { return .failure(.unsupportedScheme) }
        var rest = text[text.index(after: colon)...]
        // `@` cannot appear unescaped in params or headers (RFC 3261 §25.1), so the first one ends the
        // userinfo, which itself may hold `;` and `?` (telephone-subscriber).
        var userinfo: Substring?
        if let at = rest.firstIndex(of: "@") {
            userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        let host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(.missingHost) }
            host = rest[...close]
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex { $0 == ":" || $0 == ";" || $0 == "?" } ?? rest.endIndex
            host = rest[..<end]
            rest = rest[end...]
        }
        guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return .failure(.missingHost) }
        guard rest.isEmpty || rest.hasPrefix(":") || rest.hasPrefix(";") || rest.hasPrefix("?") else {
            return .failure(.missingHost)
        }
        return .success(SIPURIParts(scheme: scheme, userinfo: userinfo, host: host, rest: rest))
    }

    /// The port written after the host (nil when there is none) and what follows it, `;params?headers`.
    public func hostPort() -> Result<(port: UInt16?, tail: Substring), Problem> {
        guard rest.hasPrefix(":") else { return .success((nil, rest)) }
        let digits = rest.dropFirst().prefix { $0 != ";" && $0 != "?" }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = UInt16(digits) else {
            return .failure(.badPort)
        }
        return .success((port, rest[digits.endIndex...]))
    }
}
