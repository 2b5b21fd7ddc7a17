// Tolerant Via parsing from raw text, used when osip refused the message but
// we still need somewhere to send the 400 (RFC 3261 §18.2.2), and the raw
// text edits that add `received` / fill `rport` when echoing the top Via.

extension SIPVia {
    /// Parses one Via value (`SIP / 2.0 / UDP host:port;params`, LWS allowed
    /// around the slashes). Returns nil when no sent-protocol/sent-by is found.
    static func tolerant(_ raw: String) -> SIPVia? {
        let bytes = Array(raw.utf8)
        var i = 0
        func skipWS() { while i < bytes.count, ASCII.isWhitespace(bytes[i]) { i += 1 } }
        func token() -> ArraySlice<UInt8> {
            let start = i
            while i < bytes.count, ASCII.isTokenChar(bytes[i]) { i += 1 }
            return bytes[start..<i]
        }
        var parts: [ArraySlice<UInt8>] = []
        for index in 0..<3 {
            skipWS()
            let t = token()
            guard !t.isEmpty else { return nil }
            parts.append(t)
            skipWS()
            if index < 2 {
                guard i < bytes.count, bytes[i] == ASCII.slash else { return nil }
                i += 1
            }
        }
        let sentByEnd = bytes[i...].firstIndex(of: ASCII.semicolon) ?? bytes.count
        let (host, port) = splitHostPort(bytes[i..<sentByEnd])
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        var via = SIPVia(
            raw: raw, transport: parts[2].utf8String.uppercased(), host: host, port: port,
            branch: nil, hasRport: false, rport: nil, received: nil)
        let params = String(decoding: bytes[sentByEnd...], as: UTF8.self)
        for param in params.splitOutsideQuotes(ASCII.semicolon) {
            let p = Array(param.utf8)
            let eq = p.firstIndex(of: ASCII.equals)
            let name = p[..<(eq ?? p.count)].trimmedWhitespace()
            let value = eq.map { p[($0 + 1)...].trimmedWhitespace() }
            if name.equalsLowercased("branch") {
                via.branch = value?.utf8String
            } else if name.equalsLowercased("rport") {
                via.hasRport = true
                via.rport = value.flatMap { $0.parseDecimal(limit: 65535) }.map { Int($0) }
            } else if name.equalsLowercased("received") {
                via.received = value?.utf8String
            }
        }
        return via
    }

    /// The raw value with `received=` set (replacing an existing value) and a
    /// valueless `rport` filled in, as RFC 3261 §18.2.1 and RFC 3581 §4 require.
    func echoed(received: String?, rport: Int?) -> String {
        guard received != nil || rport != nil else { return raw }
        let bytes = Array(raw.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 48)
        var replacedReceived = false
        // Walk parameters (';'-separated outside quotes) after the sent-by.
        var i = 0, inQuote = false
        var segmentStart: Int?  // index just after a ';' outside quotes
        func finishSegment(at end: Int) {
            guard let start = segmentStart else { return }
            let segment = bytes[start..<end]
            let eq = segment.firstIndex(of: ASCII.equals)
            let name = segment[..<(eq ?? end)].trimmedWhitespace()
            if name.equalsLowercased("rport"), eq == nil, let rport {
                out.append(contentsOf: bytes[start..<name.endIndex])
                out.append(contentsOf: Array("=\(rport)".utf8))
                out.append(contentsOf: bytes[name.endIndex..<end])
            } else if name.equalsLowercased("received"), let received {
                out.append(contentsOf: bytes[start..<name.endIndex])
                out.append(contentsOf: Array("=\(received)".utf8))
                replacedReceived = true
            } else {
                out.append(contentsOf: segment)
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuote {
                if b == ASCII.backslash, i + 1 < bytes.count {
                    if segmentStart == nil { out.append(b); out.append(bytes[i + 1]) }
                    i += 2
                    continue
                }
                if b == ASCII.quote { inQuote = false }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == ASCII.semicolon {
                finishSegment(at: i)
                out.append(b)
                segmentStart = i + 1
                i += 1
                continue
            }
            if segmentStart == nil { out.append(b) }
            i += 1
        }
        finishSegment(at: bytes.count)
        if let received, !replacedReceived {
            out.append(contentsOf: Array(";received=\(received)".utf8))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
