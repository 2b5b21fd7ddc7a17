// Fuzz-ish robustness with a fixed seed (reproducible), and the loop the
// valgrind leak check runs (see parseRespondLoop).
import Testing

@testable import SIP

/// SplitMix64: a tiny deterministic generator so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses and, when there is something to answer, serialises: the full path.
@discardableResult
func parseAndRespond(_ bytes: [UInt8]) -> Int {
    let response = SIPResponse(status: 404, reasonPhrase: "Not Found", headers: [("Contact", "<sip:x@y>")])
    switch SIPParser.parse(bytes) {
    case let .request(r): return response.serialize(echoing: r, toTag: "t", received: "192.0.2.1", rport: 5060).count
    case let .invalid(i): return response.serialize(echoing: i, toTag: "t", received: "192.0.2.1", rport: 5060).count
    case .response, .unrecoverable, .unanswered: return 0
    }
}

@Test func randomBytesNeverCrash() {
    var rng = SeededGenerator(state: 0x5EED)
    for _ in 0..<2_000 {
        let count = Int.random(in: 0...600, using: &rng)
        parseAndRespond((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

@Test func truncatedPrefixesOfEveryTortureMessage() throws {
    for name in TortureCorpus.names {
        let bytes = try TortureCorpus.bytes(name)
        for length in stride(from: 0, through: bytes.count, by: 3) {
            parseAndRespond(Array(bytes[..<length]))
        }
    }
}

@Test func mutatedTortureMessages() throws {
    var rng = SeededGenerator(state: 4475)
    let interesting: [UInt8] = [0, 13, 10, 32, 9, 34, 92, 58, 59, 44, 60, 62, 64, 61, 0xFF, 0x80]
    for name in TortureCorpus.names {
        let original = try TortureCorpus.bytes(name)
        for _ in 0..<100 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] = interesting.randomElement(using: &rng)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(interesting.randomElement(using: &rng)!, at: index)
                }
            }
            parseAndRespond(bytes)
        }
    }
}

@Test func largestDatagramIsParsed() {
    // A valid request padded with a big body up to the 65,535-byte limit.
    let head = message(
        ["OPTIONS sip:bob@example.com SIP/2.0"] + baseHeaders.filter { !$0.hasPrefix("Content-Length") } + [
            "Content-Type: text/plain"
        ])
    let body = [UInt8](repeating: 0x61, count: SIPParser.maxMessageSize - head.count)
    let bytes = head + body
    #expect(bytes.count == SIPParser.maxMessageSize)
    let result = SIPParser.parse(bytes)
    guard case let .request(r) = result else { Issue.record("not parsed: \(result)"); return }
    #expect(r.bodyLength == body.count)
}

/// Parsing on several threads at once gives the same answers as one thread
/// (parser_init ran once; osip's trace buffer is per thread).
@Test func concurrentParsingMatchesSequential() async throws {
    let corpus = try TortureCorpus.names.map { try TortureCorpus.bytes($0) }
    let expected = corpus.map(parseAndRespond)
    let results = await withTaskGroup(of: [Int].self) { group in
        for _ in 0..<4 {
            group.addTask { (0..<20).flatMap { _ in corpus.map(parseAndRespond) } }
        }
        return await group.reduce(into: []) { $0.append($1) }
    }
    for result in results {
        #expect(result == Array((0..<20).map { _ in expected }.joined()))
    }
}

/// Parses and answers every torture message 200 times; run under valgrind for
/// the leak check. Valgrind 3.19 cannot read the toolchain's DWARF 5 (strip the
/// copy it runs) and crashes on libdispatch's read-only sigsuspend() mask when
/// the async test main exits (preload a shim that copies the mask):
///
///     objcopy --strip-debug .build-sip/debug/switchdPackageTests.xctest /tmp/t.xctest
///     // sigsuspend_copy.c: int sigsuspend(const sigset_t *m) { sigset_t c = *m;
///     //   return ((int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend"))(&c); }
///     gcc -shared -fPIC sigsuspend_copy.c -o /tmp/sigsuspend_copy.so -ldl
///     LD_PRELOAD=/tmp/sigsuspend_copy.so valgrind --leak-check=full \
///         --errors-for-leak-kinds=definite /tmp/t.xctest \
///         --testing-library swift-testing --filter parseRespondLoop
@Test func parseRespondLoop() throws {
    let corpus = try TortureCorpus.names.map { try TortureCorpus.bytes($0) }
    var total = 0
    for _ in 0..<200 {
        for bytes in corpus { total &+= parseAndRespond(bytes) }
    }
    #expect(total > 0)
}
