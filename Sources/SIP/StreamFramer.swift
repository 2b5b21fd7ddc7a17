// SIP over a byte stream (TCP, TLS) has no datagram boundaries: RFC 3261 §18.3 delimits each message
// by its Content-Length, which is mandatory there. This framer cuts the stream into messages, and
// answers what the stream itself says (keep-alives, framing errors) without a parse: those never reach
// libosip2, every whole message does.

/// One thing the stream said, in order.
public enum StreamFrame: Sendable, Equatable {
    /// A whole message: headers, blank line and exactly Content-Length body bytes.
    case message([UInt8])
    /// A double CRLF (RFC 5626 §4.4.1 ping): answer with a single CRLF (the pong).
    case keepAlive
    /// The headers of a message the stream cannot frame; the connection must be closed after the
    /// answer, since where the next message starts is unknown.
    case unframeable(header: [UInt8], StreamFramingError)
    /// Bytes that never became a header section within `maximumMessage`: nothing to answer, close.
    case overflow
}

public enum StreamFramingError: Error, Sendable, Equatable {
    case missingContentLength
    /// Not a decimal, or several Content-Length headers that disagree.
    case invalidContentLength
    /// Headers plus Content-Length exceed the largest message accepted.
    case tooLarge
}

/// Accumulates stream bytes and hands out frames. After `.unframeable` or `.overflow` it yields nothing
/// more: the caller closes the connection.
public struct StreamFramer: Sendable {
    public let maximumMessage: Int
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already handed out (compacted away lazily, so a pipelined burst is not copied
    /// once per message).
    private var consumed = 0
    /// Where the search for the end of the header section resumes.
    private var searchFrom = 0
    /// The header section's length and the message's total, once known.
    private var pending: (headerEnd: Int, total: Int)?
    /// A lone CRLF between messages was seen; one more makes a ping.
    private var sawCRLF = false
    private var failed = false

    static let compactionThreshold = 65_536

    public init(maximumMessage: Int = 65_535) {
        self.maximumMessage = maximumMessage
    }

    /// True while part of a message (not only keep-alive line ends) is buffered: the slow-sender timer runs.
    public var isInsideMessage: Bool { !failed && buffer.count > consumed }

    /// Bytes held, handed out or not (for the test that the buffer stays bounded).
    var storedBytes: Int { buffer.count }

    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard !failed else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The next frame, or nil until more bytes arrive.
    public mutating func next() -> StreamFrame? {
        guard !failed else { return nil }
        if pending == nil {
            if let keepAlive = skipLineEnds() { return keepAlive }
            // Handed-out bytes are dropped once nothing is left, or once they are many: a client that
            // pipelines without pause never leaves the buffer empty.
            if consumed == buffer.count || consumed >= Self.compactionThreshold { compact() }
            guard consumed < buffer.count else { return nil }
            guard let headerEnd = findHeaderEnd() else {
                if buffer.count - consumed >= maximumMessage {
                    failed = true
                    return .overflow
                }
                return nil
            }
            let header = Array(buffer[consumed..<headerEnd])
            switch Self.contentLength(of: header) {
            case .failure(let error):
                failed = true
                return .unframeable(header: header, error)
            case .success(let length):
                let total = headerEnd - consumed + length
                guard total <= maximumMessage else {
                    failed = true
                    return .unframeable(header: header, .tooLarge)
                }
                pending = (headerEnd, consumed + total)
            }
        }
        guard let (_, end) = pending, buffer.count >= end else { return nil }
        let message = Array(buffer[consumed..<end])
        consumed = end
        searchFrom = end
        pending = nil
        sawCRLF = false
        return .message(message)
    }

    /// Skips CRLFs before a start line (RFC 3261 §7.5 says ignore them); two in a row, with nothing
    /// between, are a keep-alive ping.
    private mutating func skipLineEnds() -> StreamFrame? {
        while consumed + 1 < buffer.count, buffer[consumed] == ASCII.cr, buffer[consumed + 1] == ASCII.lf {
            consumed += 2
            searchFrom = max(searchFrom, consumed)
            if sawCRLF {
                sawCRLF = false
                return .keepAlive
            }
            sawCRLF = true
        }
        if consumed < buffer.count, !(buffer[consumed] == ASCII.cr && consumed + 1 == buffer.count) {
            // A start line begins: a lone CRLF before it was only a line end (or a client's pong).
            sawCRLF = false
        }
        return nil
    }

    /// The index just past the blank line ending the header section ("\r\n\r\n", or "\n\n" from a
    /// client that ends lines with bare LF, which the datagram path tolerates too).
    private mutating func findHeaderEnd() -> Int? {
        var index = max(searchFrom, consumed)
        // Only within the largest message: a header section ending beyond it is an overflow however the
        // bytes arrived (found whole in one read, or never within the limit one piece at a time).
        let limit = min(buffer.count, consumed + maximumMessage)
        while index < limit {
            if buffer[index] == ASCII.lf {
                if index + 1 < limit, buffer[index + 1] == ASCII.lf { return index + 2 }
                if index + 2 < limit, buffer[index + 1] == ASCII.cr, buffer[index + 2] == ASCII.lf {
                    return index + 3
                }
                if index + 2 >= limit {
                    // The blank line may still be arriving: look here again with the next bytes.
                    searchFrom = index
                    return nil
                }
            }
            index += 1
        }
        searchFrom = index
        return nil
    }

    private mutating func compact() {
        guard consumed > 0 else { return }
        buffer.removeFirst(consumed)
        searchFrom = max(0, searchFrom - consumed)
        consumed = 0
    }

    /// Content-Length (or its compact form `l`) of a header section; several equal values are one.
    static func contentLength(of header: [UInt8]) -> Result<Int, StreamFramingError> {
        let values = HeaderScanner.scan(header).values(.contentLength)
        guard let first = values.first else { return .failure(.missingContentLength) }
        // Any length above 2^32 is as wrong as a non-number here: both are refused before reading a body.
        guard let length = first.parseDecimal(limit: UInt64(UInt32.max)), values.allSatisfy({ $0 == first }) else {
            return .failure(.invalidContentLength)
        }
        return .success(Int(length))
    }
}
