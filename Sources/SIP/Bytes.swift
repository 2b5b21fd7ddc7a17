// Small byte-level helpers for the per-packet path: no Foundation, no regex.

enum ASCII {
    static let cr: UInt8 = 13, lf: UInt8 = 10, sp: UInt8 = 32, tab: UInt8 = 9
    static let colon: UInt8 = 58, semicolon: UInt8 = 59, comma: UInt8 = 44
    static let quote: UInt8 = 34, backslash: UInt8 = 92, equals: UInt8 = 61
    static let lt: UInt8 = 60, gt: UInt8 = 62, at: UInt8 = 64, question: UInt8 = 63
    static let lbracket: UInt8 = 91, rbracket: UInt8 = 93, slash: UInt8 = 47, star: UInt8 = 42

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == tab }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }

    /// RFC 3261 `token` characters (method names, parameter names, transports).
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"),
             UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"),
             UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}

extension BidirectionalCollection where Element == UInt8 {
    /// The collection without leading and trailing SP/HTAB.
    func trimmedWhitespace() -> SubSequence {
        var start = startIndex
        while start != endIndex, ASCII.isWhitespace(self[start]) { formIndex(after: &start) }
        var end = endIndex
        while end != start, ASCII.isWhitespace(self[index(before: end)]) { formIndex(before: &end) }
        return self[start..<end]
    }
}

extension Collection where Element == UInt8 {
    /// ASCII case-insensitive comparison with a lowercase literal.
    func equalsLowercased(_ literal: String) -> Bool {
        let utf8 = literal.utf8
        guard count == utf8.count else { return false }
        // Header names are compared on every line of every datagram: walk the literal's own storage
        // rather than decoding it through String's iterator.
        return utf8.withContiguousStorageIfAvailable { expected in
            var index = 0
            for b in self {
                guard ASCII.lower(b) == expected[index] else { return false }
                index += 1
            }
            return true
        } ?? zip(self, utf8).allSatisfy { ASCII.lower($0) == $1 }
    }

    /// Parses an all-digit decimal, rejecting empty input, signs and values above `limit`.
    func parseDecimal(limit: UInt64) -> UInt64? {
        guard !isEmpty else { return nil }
        var value: UInt64 = 0
        for b in self {
            guard ASCII.isDigit(b) else { return nil }
            value = value &* 10 &+ UInt64(b &- 48)
            if value > limit { return nil }
        }
        return value
    }

    var utf8String: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    /// Splits on `separator` bytes outside double-quoted strings (honouring
    /// backslash escapes), trimming each part and dropping empty parts.
    func splitOutsideQuotes(_ separator: UInt8) -> [String] {
        Array(utf8).splitOutsideQuotes(separator).map(\.utf8String)
    }
}

extension Array where Element == UInt8 {
    /// The same on bytes, without a String per part: Via values are split on every request.
    func splitOutsideQuotes(_ separator: UInt8) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        let bytes = self
        var start = 0, i = 0, inQuote = false
        while i < bytes.count {
            let b = bytes[i]
            if inQuote {
                if b == ASCII.backslash { i += 1 } else if b == ASCII.quote { inQuote = false }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == separator {
                let part = bytes[start..<i].trimmedWhitespace()
                if !part.isEmpty { parts.append(part) }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count {
            let part = bytes[start...].trimmedWhitespace()
            if !part.isEmpty { parts.append(part) }
        }
        return parts
    }
}

/// Quote-state scan: true when a double-quoted string is opened and never closed.
func hasUnterminatedQuote<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
    var inQuote = false, escaped = false
    for b in bytes {
        if escaped { escaped = false; continue }
        if inQuote {
            if b == ASCII.backslash { escaped = true } else if b == ASCII.quote { inQuote = false }
        } else if b == ASCII.quote {
            inQuote = true
        }
    }
    return inQuote
}
