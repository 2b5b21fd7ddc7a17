// A tolerant line scanner over the raw datagram. osip parses every message,
// but it cannot give us what we need for echoing (exact header text), it
// truncates at NUL bytes, and it accepts or refuses things RFC 3261 says
// otherwise. This scanner recovers start line, unfolded header values and the
// body offset from any bytes, without ever reading out of bounds.

/// Headers the SIP module cares about; everything else is `.other`.
enum HeaderKind: Equatable {
    case via, from, to, callID, cseq, maxForwards, contentLength, contentType
    case require, authorization, contact, route, recordRoute, expires, userAgent, other

    /// Display name used in reason phrases.
    var displayName: String {
        switch self {
        case .via: "Via"
        case .from: "From"
        case .to: "To"
        case .callID: "Call-ID"
        case .cseq: "CSeq"
        case .maxForwards: "Max-Forwards"
        case .contentLength: "Content-Length"
        case .contentType: "Content-Type"
        case .require: "Require"
        case .authorization: "Authorization"
        case .contact: "Contact"
        case .route: "Route"
        case .recordRoute: "Record-Route"
        case .expires: "Expires"
        case .userAgent: "User-Agent"
        case .other: "Header"
        }
    }

    /// Maps a header name (any case, compact or long form) to its kind.
    init<C: Collection>(name: C) where C.Element == UInt8 {
        if name.count == 1, let b = name.first {
            // RFC 3261 §7.3.3 compact forms we need (others map to .other).
            switch ASCII.lower(b) {
            case UInt8(ascii: "v"): self = .via
            case UInt8(ascii: "f"): self = .from
            case UInt8(ascii: "t"): self = .to
            case UInt8(ascii: "i"): self = .callID
            case UInt8(ascii: "l"): self = .contentLength
            case UInt8(ascii: "c"): self = .contentType
            case UInt8(ascii: "m"): self = .contact
            default: self = .other
            }
            return
        }
        // Dispatch on the length first: this runs for every header line of every datagram.
        let kind: HeaderKind? = switch name.count {
        case 2: name.equalsLowercased("to") ? .to : nil
        case 3: name.equalsLowercased("via") ? .via : nil
        case 4: name.equalsLowercased("from") ? .from : name.equalsLowercased("cseq") ? .cseq : nil
        case 5: name.equalsLowercased("route") ? .route : nil
        case 7: name.equalsLowercased("call-id") ? .callID : name.equalsLowercased("require") ? .require
            : name.equalsLowercased("contact") ? .contact : name.equalsLowercased("expires") ? .expires : nil
        case 10: name.equalsLowercased("user-agent") ? .userAgent : nil
        case 12: name.equalsLowercased("max-forwards") ? .maxForwards
            : name.equalsLowercased("content-type") ? .contentType
            : name.equalsLowercased("record-route") ? .recordRoute : nil
        case 13: name.equalsLowercased("authorization") ? .authorization : nil
        case 14: name.equalsLowercased("content-length") ? .contentLength : nil
        default: nil
        }
        self = kind ?? .other
    }
}

struct ScannedHeader {
    var kind: HeaderKind
    /// Value with continuation lines joined by a single space, trimmed.
    var value: [UInt8]
}

struct ScannedMessage {
    var startLine: ArraySlice<UInt8> = []
    var headers: [ScannedHeader] = []
    /// Index of the first body byte; nil when no empty line ends the headers.
    var bodyStart: Int?
    /// Header lines with no colon (not continuation lines).
    var malformedLines = 0

    func values(_ kind: HeaderKind) -> [[UInt8]] {
        headers.filter { $0.kind == kind }.map(\.value)
    }

    func firstBytes(_ kind: HeaderKind) -> [UInt8]? {
        headers.first { $0.kind == kind }?.value
    }

    func first(_ kind: HeaderKind) -> String? {
        headers.first { $0.kind == kind }.map { $0.value.utf8String }
    }

    func count(_ kind: HeaderKind) -> Int {
        headers.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) }
    }

    /// Every Via value in message order: Via headers split on commas outside quotes.
    var viaValues: [String] {
        var values: [String] = []
        for header in headers where header.kind == .via {
            for part in header.value.splitOutsideQuotes(ASCII.comma) { values.append(part.utf8String) }
        }
        return values
    }
}

enum HeaderScanner {
    /// Scans `bytes`. Lines end in CRLF or a bare LF (tolerated); leading empty
    /// lines before the start line are skipped (RFC 3261 §7.5).
    static func scan(_ bytes: [UInt8]) -> ScannedMessage {
        var result = ScannedMessage()
        // Room for a usual request's headers: growing the array from empty costs five copies.
        result.headers.reserveCapacity(16)
        var pos = 0
        let n = bytes.count

        /// Returns the line starting at `pos` (without terminator) and advances past it.
        func nextLine() -> ArraySlice<UInt8>? {
            guard pos < n else { return nil }
            var end = pos
            while end < n, bytes[end] != ASCII.lf { end += 1 }
            var lineEnd = end
            if lineEnd > pos, bytes[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            let line = bytes[pos..<lineEnd]
            pos = end < n ? end + 1 : n
            return line
        }

        while pos < n, bytes[pos] == ASCII.cr || bytes[pos] == ASCII.lf { pos += 1 }
        guard let start = nextLine() else { return result }
        result.startLine = start

        while let line = nextLine() {
            if line.isEmpty {
                result.bodyStart = pos
                break
            }
            if let first = line.first, ASCII.isWhitespace(first) {
                // Continuation line: unfold into the previous header with one SP.
                let more = line.trimmedWhitespace()
                guard !result.headers.isEmpty else { result.malformedLines += 1; continue }
                if !more.isEmpty {
                    if !result.headers[result.headers.count - 1].value.isEmpty {
                        result.headers[result.headers.count - 1].value.append(ASCII.sp)
                    }
                    result.headers[result.headers.count - 1].value.append(contentsOf: more)
                }
                continue
            }
            guard let colon = line.firstIndex(of: ASCII.colon) else {
                result.malformedLines += 1
                continue
            }
            let name = line[line.startIndex..<colon].trimmedWhitespace()
            let value = line[(colon + 1)...].trimmedWhitespace()
            result.headers.append(ScannedHeader(kind: HeaderKind(name: name), value: Array(value)))
        }
        return result
    }
}
