// Prepares the bytes handed to osip. osip works on C strings internally, so a
// NUL byte ends its view of a header: RFC 4475 §3.1.1.2 (intmeth) has a NUL
// inside a quoted display name, which is legal, and osip then refuses the
// whole message. We replace NULs *inside quoted strings of the header section*
// with a space in a copy for osip only; raw values still come from the
// original bytes. A NUL anywhere else stays and osip refuses the message.

enum OsipInput {
    static func withParseableBytes<R>(_ datagram: [UInt8], end: Int, headerEnd: Int?,
                                      _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let end = min(end, datagram.count)
        let headerEnd = min(headerEnd ?? end, end)
        // Fast path: no NUL in the headers, hand osip the datagram itself.
        guard datagram[..<headerEnd].contains(0) else {
            return datagram.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<end])) }
        }
        var copy = Array(datagram[..<end])
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
        return copy.withUnsafeBufferPointer { body($0) }
    }
}
