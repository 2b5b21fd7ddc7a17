/// A hand-written parser for the few URL forms `PostgresURL` documents: a general URL parser would
/// accept much that PostgreSQL cannot use, and its errors could not name the part an admin got wrong.
enum PostgresURLParser {
    static func parse(_ text: String) throws(PostgresURLError) -> PostgresURL {
        let rest = try dropScheme(text)
        // A fragment means nothing to PostgreSQL; it is nearly always a "#" in a password.
        guard !rest.contains("#") else { throw .hasFragment }

        let question = rest.firstIndex(of: "?")
        let beforeQuery = rest[..<(question ?? rest.endIndex)]
        let query = question.map { rest[rest.index(after: $0)...] } ?? ""

        let slash = beforeQuery.firstIndex(of: "/")
        let authority = beforeQuery[..<(slash ?? beforeQuery.endIndex)]
        // An "@" after the first "/" means the user or password holds a bare "/": cutting there would
        // show part of the password as a host or port in the error, so say what to escape instead.
        if let slash, beforeQuery[slash...].contains("@") { throw .slashBeforeAt }

        guard let at = authority.lastIndex(of: "@") else { throw .noUser }
        let (user, password) = try credentials(authority[..<at])
        let (host, port) = try hostAndPort(authority[authority.index(after: at)...])

        guard let slash else { throw .noDatabase }
        let path = beforeQuery[beforeQuery.index(after: slash)...]
        guard !path.isEmpty else { throw .noDatabase }
        guard !path.contains("/") else { throw .badDatabase(String(path)) }
        let database = try decode(path, part: "database")

        let socketDirectory = try parameters(query)
        let server: PostgresURL.Server
        if let socketDirectory {
            guard host.isEmpty else { throw .hostTwice }
            guard socketDirectory.hasPrefix("/") else { throw .badSocketDirectory(socketDirectory) }
            server = .unixSocket(directory: socketDirectory, port: port)
        } else {
            guard !host.isEmpty else { throw .noHost }
            server = .tcp(host: host, port: port)
        }
        return PostgresURL(server: server, user: user, password: password, database: database)
    }

    private static func dropScheme(_ text: String) throws(PostgresURLError) -> Substring {
        for scheme in ["postgresql://", "postgres://"] {
            let head = text.utf8.prefix(scheme.utf8.count)
            // Schemes are case-insensitive (RFC 3986 §3.1); both are ASCII, so compare bytes.
            if head.count == scheme.utf8.count, zip(head, scheme.utf8).allSatisfy({ lowercase($0) == $1 }) {
                return text[text.utf8.index(text.startIndex, offsetBy: scheme.utf8.count)...]
            }
        }
        throw .notPostgresScheme
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func credentials(_ userInfo: Substring) throws(PostgresURLError) -> (String, String?) {
        let colon = userInfo.firstIndex(of: ":")
        let user = try decode(userInfo[..<(colon ?? userInfo.endIndex)], part: "user")
        guard !user.isEmpty else { throw .noUser }
        guard let colon else { return (user, nil) }
        let password = try decode(userInfo[userInfo.index(after: colon)...], part: "password")
        // `USER:@HOST` is no password at all, as in libpq.
        return (user, password.isEmpty ? nil : password)
    }

    /// `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT`, `:PORT` or nothing (the last two with `?host=`).
    private static func hostAndPort(_ text: Substring) throws(PostgresURLError) -> (String, Int) {
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .badHost(String(text)) }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .badHost(String(text)) }
            portText = after.isEmpty ? nil : after.dropFirst()
            let v6Characters = "0123456789abcdefABCDEF:."
            guard host.contains(":"), host.allSatisfy({ v6Characters.contains($0) }) else {
                throw .badHost(String(text))
            }
        } else {
            let colons = text.filter { $0 == ":" }.count
            // "::1" without brackets cannot be told from HOST:PORT.
            guard colons <= 1 else { throw .badHost(String(text)) }
            let colon = text.firstIndex(of: ":")
            host = text[..<(colon ?? text.endIndex)]
            portText = colon.map { text[text.index(after: $0)...] }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                throw .badHost(String(host))
            }
        }
        guard let portText else { return (String(host), PostgresURL.defaultPort) }
        guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), (1...65_535).contains(port)
        else { throw .badPort(String(portText)) }
        return (String(host), port)
    }

    /// The socket directory of `?host=`, when given; every other parameter is refused by name.
    private static func parameters(_ query: Substring) throws(PostgresURLError) -> String? {
        var seen: Set<String> = []
        var socketDirectory: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let name = try decode(pair[..<(equals ?? pair.endIndex)], part: "parameter name")
            let value = try decode(equals.map { pair[pair.index(after: $0)...] } ?? "", part: "parameter \(name)")
            guard seen.insert(name).inserted else { throw .duplicateParameter(name) }
            switch name {
            case "host": socketDirectory = value
            case "sslmode": guard value == "disable" else { throw .unsupportedSSLMode(value) }
            default: throw .unknownParameter(name)
            }
        }
        return socketDirectory
    }

    /// %-decoding to UTF-8. `%00` is refused too: PostgreSQL's startup message cannot carry a NUL.
    static func decode(_ text: Substring, part: String) throws(PostgresURLError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue),
                high << 4 | low != 0
            else { throw .badEscape(part: part) }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .badEscape(part: part) }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
