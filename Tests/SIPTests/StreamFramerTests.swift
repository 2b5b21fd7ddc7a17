// RFC 3261 §18.3 framing of SIP over TCP and TLS: what a stream of bytes becomes, however it is cut
// into segments.
import Testing

@testable import SIP

private func request(body: String = "", contentLength: String? = nil, extra: String = "") -> String {
    let length = contentLength.map { "Content-Length: \($0)\r\n" } ?? ""
    return "OPTIONS sip:201@acme.example SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
        + "Call-ID: f1@test\r\nCSeq: 1 OPTIONS\r\n\(extra)\(length)\r\n\(body)"
}

/// Every frame the stream yields, fed in pieces of `cut` bytes (0: all at once).
private func frames(_ text: String, cut: Int = 0, maximum: Int = 65_535) -> [StreamFrame] {
    var framer = StreamFramer(maximumMessage: maximum)
    var result: [StreamFrame] = []
    let bytes = Array(text.utf8)
    let size = cut == 0 ? max(bytes.count, 1) : cut
    var start = 0
    repeat {
        framer.append(bytes[start..<min(start + size, bytes.count)])
        start += size
        while let frame = framer.next() { result.append(frame) }
    } while start < bytes.count
    return result
}

private func message(_ text: String) -> StreamFrame { .message(Array(text.utf8)) }

struct FramingCase: Sendable, CustomTestStringConvertible {
    let name: String
    let stream: String
    let expected: [StreamFrame]
    var testDescription: String { name }
}

private let withBody = request(body: "v=0\r\n", contentLength: "5")
private let empty = request(contentLength: "0")

let framingCases: [FramingCase] = [
    FramingCase(name: "one message with a body", stream: withBody, expected: [message(withBody)]),
    FramingCase(name: "two pipelined in one segment", stream: withBody + empty, expected: [message(withBody), message(empty)]),
    FramingCase(
        name: "the compact form l", stream: request(body: "abc", extra: "l: 3\r\n"),
        expected: [message(request(body: "abc", extra: "l: 3\r\n"))]),
    FramingCase(
        name: "two equal Content-Length headers are one",
        stream: request(body: "ab", contentLength: "2", extra: "Content-Length: 2\r\n"),
        expected: [message(request(body: "ab", contentLength: "2", extra: "Content-Length: 2\r\n"))]),
    FramingCase(name: "a double CRLF is a keep-alive ping", stream: "\r\n\r\n", expected: [.keepAlive]),
    FramingCase(name: "two pings", stream: "\r\n\r\n\r\n\r\n", expected: [.keepAlive, .keepAlive]),
    FramingCase(name: "a lone CRLF before a message is skipped", stream: "\r\n" + empty, expected: [message(empty)]),
    FramingCase(
        name: "a ping between messages", stream: empty + "\r\n\r\n" + empty,
        expected: [message(empty), .keepAlive, message(empty)]),
    FramingCase(
        name: "bare LF line ends", stream: "OPTIONS sip:a@b SIP/2.0\nContent-Length: 2\n\nok",
        expected: [message("OPTIONS sip:a@b SIP/2.0\nContent-Length: 2\n\nok")]),
    FramingCase(
        name: "no Content-Length: the header is answered, nothing after it",
        stream: request() + empty,
        expected: [.unframeable(header: Array(request().utf8), .missingContentLength)]),
    FramingCase(
        name: "Content-Length not a number", stream: request(body: "x", contentLength: "1x"),
        expected: [.unframeable(header: Array(request(contentLength: "1x").utf8), .invalidContentLength)]),
    FramingCase(
        name: "Content-Length negative", stream: request(contentLength: "-1"),
        expected: [.unframeable(header: Array(request(contentLength: "-1").utf8), .invalidContentLength)]),
    FramingCase(
        name: "two Content-Length headers that disagree", stream: request(contentLength: "2", extra: "Content-Length: 3\r\n"),
        expected: [
            .unframeable(header: Array(request(contentLength: "2", extra: "Content-Length: 3\r\n").utf8), .invalidContentLength)
        ]),
    FramingCase(
        name: "a body that has not all arrived yields nothing yet", stream: request(body: "v=0", contentLength: "10"),
        expected: []),
]

@Suite("Stream framing (RFC 3261 §18.3)")
struct StreamFramerTests {
    @Test(arguments: framingCases)
    func wholeStream(_ row: FramingCase) {
        #expect(frames(row.stream) == row.expected)
    }

    @Test("the same frames whatever the segments: one byte at a time, 2, 3, 7 and 100 bytes", arguments: [1, 2, 3, 7, 100])
    func segmentation(_ cut: Int) {
        for row in framingCases {
            #expect(frames(row.stream, cut: cut) == row.expected, "\(row.name), cut into \(cut)-byte pieces")
        }
    }

    @Test("a message larger than the limit: the header is answered (513), whatever the body")
    func tooLarge() {
        let big = request(body: String(repeating: "a", count: 200), contentLength: "200")
        let header = Array(request(contentLength: "200").utf8)
        #expect(frames(big, maximum: 250) == [.unframeable(header: header, .tooLarge)])
        #expect(frames(big, maximum: big.utf8.count) == [message(big)])
    }

    @Test("bytes that never end a header section within the limit overflow, and the framer stops")
    func overflow() {
        let endless = "OPTIONS sip:a@b SIP/2.0\r\nX: " + String(repeating: "y", count: 300)
        #expect(frames(endless, maximum: 200) == [.overflow])
        #expect(frames(endless, cut: 16, maximum: 200) == [.overflow])
        #expect(frames(endless, maximum: 400) == [])
    }

    @Test("a header section ending just past the limit overflows however it is cut (a fuzzer finding)")
    func headerAtTheLimit() {
        let text = request(contentLength: "0")
        let size = text.utf8.count
        for maximum in (size - 3)...(size + 1) {
            let whole = frames(text, maximum: maximum)
            for cut in [1, 2, 3, 10, 64] {
                #expect(frames(text, cut: cut, maximum: maximum) == whole, "limit \(maximum), pieces of \(cut)")
            }
            #expect(whole == (size <= maximum ? [message(text)] : [.overflow]), "limit \(maximum)")
        }
    }

    @Test("inside a message only while a message's bytes are buffered (the slow-sender timer)")
    func insideMessage() {
        var framer = StreamFramer()
        #expect(!framer.isInsideMessage)
        framer.append(Array(withBody.utf8.prefix(20)))
        #expect(framer.next() == nil)
        #expect(framer.isInsideMessage)
        framer.append(Array(withBody.utf8.dropFirst(20)))
        #expect(framer.next() == message(withBody))
        #expect(framer.next() == nil)
        #expect(!framer.isInsideMessage)
    }

    @Test("a long pipelined stream keeps its buffer bounded")
    func compaction() {
        var framer = StreamFramer()
        let bytes = Array(empty.utf8)
        var count = 0
        var largest = 0
        for _ in 0..<5_000 {
            // Each segment ends in the middle of the next message, so the buffer is never empty.
            framer.append(bytes.prefix(10))
            while let frame = framer.next() { if case .message = frame { count += 1 } }
            framer.append(bytes.dropFirst(10))
            while let frame = framer.next() { if case .message = frame { count += 1 } }
            largest = max(largest, framer.storedBytes)
        }
        #expect(count == 5_000)
        // 5,000 messages of about 150 bytes passed through; at most the compaction threshold and one
        // message stay.
        #expect(largest <= 65_536 + bytes.count + 10)
    }
}
