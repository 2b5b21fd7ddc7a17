// Prepares the bytes handed to osip. osip works on C strings internally, so a
// NUL byte ends its view of a header: RFC 4475 §3.1.1.2 (intmeth) has a NUL
// inside a quoted display name, which is legal, and osip then refuses the
// whole message. We replace NULs *inside quoted strings of the header section*
// with a space in a copy for osip only; raw values still come from the
// original bytes. A NUL anywhere else stays and osip refuses the message.
//
// The same copy carries a stand-in Request-URI when the request's scheme is
// not sip or sips: osip judges other schemes by rules of its own and refuses
// many valid RFC 3986 URIs (`x:yyy`, `abc:y`, `h323:a@b`, `a+b.c-9://host`,
// anything whose scheme has a digit, "+", "-" or "."), which would turn the
// 416 RFC 3261 §8.2.2.1 asks for into a 400. switchd answers such a request
// by its scheme alone, so osip checks a fixed valid URI in its place and
// still validates every header; switchd keeps the original URI.

enum OsipInput {
    /// What osip sees instead of a Request-URI with another scheme than sip or sips (`.invalid` is
    /// reserved, RFC 6761 §6.4: it can never name a real host).
    static let standInRequestURI = Array("sip:unsupported-scheme.invalid".utf8)

    /// `replacingRequestURI` is the range of the Request-URI in `datagram`, given when osip must see
    /// `standInRequestURI` instead.
    static func withParseableBytes<R>(_ datagram: [UInt8], end: Int, headerEnd: Int?,
                                      replacingRequestURI uri: Range<Int>? = nil,
                                      _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let end = min(end, datagram.count)
        var headerEnd = min(headerEnd ?? end, end)
        let hasNUL = datagram[..<headerEnd].contains(0)
        // The Request-URI lies in the start line, before the body: anything else is not one to replace.
        let uri = uri.flatMap { $0.lowerBound >= 0 && $0.upperBound <= headerEnd ? $0 : nil }
        // Fast path: no NUL in the headers and a sip/sips URI, hand osip the datagram itself.
        guard hasNUL || uri != nil else {
            return datagram.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<end])) }
        }
        var copy: [UInt8]
        if let uri {
            copy = []
            copy.reserveCapacity(end - uri.count + standInRequestURI.count)
            copy.append(contentsOf: datagram[..<uri.lowerBound])
            copy.append(contentsOf: standInRequestURI)
            copy.append(contentsOf: datagram[uri.upperBound..<end])
            headerEnd += standInRequestURI.count - uri.count
        } else {
            copy = Array(datagram[..<end])
        }
        if hasNUL { blankQuotedNULs(&copy, headerEnd: headerEnd) }
        return copy.withUnsafeBufferPointer { body($0) }
    }

    private static func blankQuotedNULs(_ copy: inout [UInt8], headerEnd: Int) {
        var inQuote = false, escaped = false
        for i in 0..<headerEnd {
            let b = copy[i]
            if b == ASCII.lf { inQuote = false; escaped = false; continue }  // quotes never span lines
            if escaped { escaped = false; if b == 0 { copy[i] = ASCII.sp }; continue }
            if inQuote {
                if b == ASCII.backslash { escaped = true } else if b == ASCII.quote { inQuote = false } else if b == 0 { copy[i] = ASCII.sp }
            } else if b == ASCII.quote {
                inQuote = true
            }
        }
    }
}
