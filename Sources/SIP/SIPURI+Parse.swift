// URI and name-addr parsing from the raw header text. We do this in Swift
// rather than reading osip's osip_uri_t because osip %-decodes the user part
// in place (so `null-%00-null` becomes the C string `null-`) and leaves tel:
// and unknown-scheme URIs unsplit. osip still validates the whole message (but
// for a Request-URI of another scheme than sip/sips: see OsipInput).

extension SIPURI {
    /// Parses `text` (no surrounding `<>`, no whitespace). Returns nil when there
    /// is no `scheme:` prefix.
    static func parse(_ bytes: ArraySlice<UInt8>) -> SIPURI? {
        guard let colon = bytes.firstIndex(of: ASCII.colon) else { return nil }
        let schemeBytes = bytes[..<colon]
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard let first = schemeBytes.first, ASCII.lower(first) >= 97, ASCII.lower(first) <= 122,
              schemeBytes.allSatisfy({ b in
                  let l = ASCII.lower(b)
                  return (l >= 97 && l <= 122) || ASCII.isDigit(b) || b == 43 || b == 45 || b == 46
              })
        else { return nil }
        let scheme = String(decoding: schemeBytes.map(ASCII.lower), as: UTF8.self)
        let rest = bytes[(colon + 1)...]

        switch scheme {
        case "sip", "sips":
            var user: String?
            var hostPart = rest
            if let at = rest.firstIndex(of: ASCII.at) {
                let userinfo = rest[..<at]
                let userEnd = userinfo.firstIndex(of: ASCII.colon) ?? userinfo.endIndex
                user = userinfo[..<userEnd].utf8String
                hostPart = rest[(at + 1)...]
            }
            let hostportEnd = hostPart.firstIndex { $0 == ASCII.semicolon || $0 == ASCII.question } ?? hostPart.endIndex
            let (host, port) = splitHostPort(hostPart[..<hostportEnd])
            return SIPURI(scheme: scheme, user: user, host: host, port: port)
        case "tel":
            let end = rest.firstIndex(of: ASCII.semicolon) ?? rest.endIndex
            return SIPURI(scheme: scheme, user: rest[..<end].utf8String, host: "", port: nil)
        default:
            let end = rest.firstIndex(of: ASCII.semicolon) ?? rest.endIndex
            return SIPURI(scheme: scheme, user: nil, host: rest[..<end].utf8String, port: nil)
        }
    }
}

/// Splits `host[:port]` or `[v6]:port`. An unparsable port yields nil.
func splitHostPort(_ hostport: ArraySlice<UInt8>) -> (host: String, port: Int?) {
    let hp = hostport.trimmedWhitespace()
    var hostBytes = hp
    var portBytes: ArraySlice<UInt8>?
    if hp.first == ASCII.lbracket, let close = hp.firstIndex(of: ASCII.rbracket) {
        hostBytes = hp[(hp.startIndex + 1)..<close]
        let after = hp[(close + 1)...].trimmedWhitespace()
        if after.first == ASCII.colon { portBytes = after.dropFirst() }
    } else if let colon = hp.firstIndex(of: ASCII.colon) {
        hostBytes = hp[..<colon].trimmedWhitespace()
        portBytes = hp[(colon + 1)...]
    }
    let port = portBytes.flatMap { $0.trimmedWhitespace().parseDecimal(limit: 65535) }.map { Int($0) }
    return (hostBytes.utf8String, port)
}

/// The parts of a From/To/Contact value: the URI text and the header parameters.
struct NameAddrParts {
    var uriText: ArraySlice<UInt8>
    var params: ArraySlice<UInt8>

    /// Splits a name-addr (`"Display" <uri>;params`, `token <uri>`) or an
    /// addr-spec (`uri;params`, where parameters belong to the header, RFC 3261
    /// §20.10). Returns nil for an unterminated quote or `<` without `>`.
    init?(_ value: [UInt8]) {
        let v = value[...].trimmedWhitespace()
        var i = v.startIndex
        var inQuote = false
        var lt: Int?
        while i < v.endIndex {
            let b = v[i]
            if inQuote {
                if b == ASCII.backslash { i += 1 } else if b == ASCII.quote { inQuote = false }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == ASCII.lt {
                lt = i
                break
            } else if b == ASCII.semicolon {
                break // addr-spec form: no '<' before the first parameter
            }
            i += 1
        }
        if inQuote { return nil }
        if let lt {
            guard let gt = v[lt...].firstIndex(of: ASCII.gt) else { return nil }
            uriText = v[(lt + 1)..<gt].trimmedWhitespace()
            params = v[(gt + 1)...]
        } else {
            let end = v.firstIndex(of: ASCII.semicolon) ?? v.endIndex
            uriText = v[..<end].trimmedWhitespace()
            params = v[end...]
        }
    }

    /// Value of the first parameter named `name` (case-insensitive); "" when valueless.
    func param(_ name: String) -> String? {
        for part in String(decoding: params, as: UTF8.self).splitOutsideQuotes(ASCII.semicolon) {
            let bytes = Array(part.utf8)
            let eq = bytes.firstIndex(of: ASCII.equals) ?? bytes.endIndex
            guard bytes[..<eq].trimmedWhitespace().equalsLowercased(name) else { continue }
            return eq < bytes.endIndex ? bytes[(eq + 1)...].trimmedWhitespace().utf8String : ""
        }
        return nil
    }
}

extension SIPURI {
    /// Parses a URI given as text (as `switchd route --from` takes it): the same parser the wire uses,
    /// so the command line reads a From URI exactly as a request's From would be read.
    public init?(parsing text: String) {
        guard let uri = SIPURI.parse(Array(text.utf8)[...]) else { return nil }
        self = uri
    }
}
