// Header checks osip does not make (DESIGN.md "libosip2 facts"): it keeps
// numbers as unchecked strings, accepts negative or overlarge values, and does
// not insist on the mandatory headers. Each failure returns the reason phrase
// of the 400 we answer with.

/// Numeric values validated from the raw headers.
struct CheckedValues {
    var cseqNumber: UInt32
    var cseqMethod: String
    var maxForwards: Int?
    var contentLength: Int?
}

enum RequestChecks {
    static let singleValueHeaders: [HeaderKind] = [.from, .to, .callID, .cseq, .maxForwards, .contentLength]
    static let quotedStringHeaders: [HeaderKind] = [.from, .to, .contact, .via, .route, .recordRoute]

    static func check(_ scanned: ScannedMessage, method: String, datagramCount: Int)
        -> Result<CheckedValues, RequestProblem>
    {
        let missing = [HeaderKind.to, .from, .callID, .cseq].filter { scanned.count($0) == 0 }
        if !missing.isEmpty {
            return .failure(.init("Missing " + missing.map(\.displayName).joined(separator: ", ")))
        }
        for kind in singleValueHeaders where scanned.count(kind) > 1 {
            return .failure(.init("Duplicate \(kind.displayName) Header"))
        }
        for header in scanned.headers where quotedStringHeaders.contains(header.kind) {
            if hasUnterminatedQuote(header.value) {
                return .failure(.init("Unterminated Quoted String In \(header.kind.displayName)"))
            }
        }
        for kind in [HeaderKind.from, .to] {
            guard let value = scanned.firstBytes(kind) else { continue }
            guard NameAddrParts(value) != nil else { return .failure(.init("Malformed \(kind.displayName) Header")) }
            if hasCommaOutsideQuotesAndBrackets(value) {
                return .failure(.init("Multiple Values In \(kind.displayName)"))
            }
        }
        // CSeq = 1*DIGIT LWS Method
        guard let cseq = scanned.firstBytes(.cseq) else { return .failure(.init("Missing CSeq")) }
        let numberEnd = cseq.firstIndex(where: ASCII.isWhitespace) ?? cseq.endIndex
        let digits = cseq[..<numberEnd]
        guard !digits.isEmpty, digits.allSatisfy(ASCII.isDigit) else { return .failure(.init("Invalid CSeq Number")) }
        guard let number = digits.parseDecimal(limit: UInt64(Int32.max)) else {
            return .failure(.init("CSeq Number Too Large"))
        }
        let cseqMethod = cseq[numberEnd...].trimmedWhitespace()
        guard !cseqMethod.isEmpty, cseqMethod.allSatisfy(ASCII.isTokenChar) else {
            return .failure(.init("Invalid CSeq Method"))
        }
        guard cseqMethod.elementsEqual(method.utf8) else { return .failure(.init("CSeq Method Mismatch")) }

        var values = CheckedValues(cseqNumber: UInt32(number), cseqMethod: method)
        if let raw = scanned.firstBytes(.maxForwards) {
            guard let mf = raw.parseDecimal(limit: 255) else { return .failure(.init("Invalid Max-Forwards")) }
            values.maxForwards = Int(mf)
        }
        if let raw = scanned.firstBytes(.contentLength) {
            guard !raw.isEmpty, raw.allSatisfy(ASCII.isDigit) else { return .failure(.init("Invalid Content-Length")) }
            let available = scanned.bodyStart.map { datagramCount - $0 } ?? 0
            guard let length = raw.parseDecimal(limit: UInt64(available)) else {
                return .failure(.init("Content-Length Exceeds Body"))
            }
            values.contentLength = Int(length)
        }
        // A header line without a colon is not a header (RFC 3261 §7.3.1).
        if scanned.malformedLines > 0 { return .failure(.init("Malformed Header Line")) }
        return .success(values)
    }

    /// A comma outside quoted strings and `<...>` means several values in a
    /// From/To header (RFC 3261 §20: a URI with a comma must be in brackets).
    static func hasCommaOutsideQuotesAndBrackets(_ value: [UInt8]) -> Bool {
        var inQuote = false, inBrackets = false, escaped = false
        for b in value {
            if escaped { escaped = false; continue }
            if inQuote {
                if b == ASCII.backslash { escaped = true } else if b == ASCII.quote { inQuote = false }
            } else if inBrackets {
                if b == ASCII.gt { inBrackets = false }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == ASCII.lt {
                inBrackets = true
            } else if b == ASCII.comma {
                return true
            }
        }
        return false
    }
}

struct RequestProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
