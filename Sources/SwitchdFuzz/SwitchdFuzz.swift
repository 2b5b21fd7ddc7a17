// libFuzzer target for the per-datagram path: arbitrary bytes go through SIP parsing (libosip2 and
// the SIP module), request validation, the dial plan and response building, exactly as a UDP
// listener would hand them to `RequestHandler.handle`.
//
// Two builds of the same file:
// - fuzzing (`bash fuzz/run.sh`): `swift build -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address`.
//   The `@main` then passes the command line to libFuzzer's driver (`LLVMFuzzerRunDriver`), which
//   calls `LLVMFuzzerTestOneInput` for every input and takes all the usual libFuzzer flags.
// - regression runner (a plain `swift build`): `swift run SwitchdFuzz FILE...` replays each file once
//   through the same entry point, so a saved crash can be reproduced without the fuzzer.
//
// Each input is handled twice: from 127.0.0.1, inside the sample customers' `networks` (trusted by
// address, so requests reach the dial plan), and from 192.0.2.1, outside them (the trust gate and its
// digest checks). The dial plan is the repository's `conf/` (or `$SWITCHD_FUZZ_CONF`).

import Config
import FuzzInputs
import Glibc
import Logging
import Routing
import SIP
import Server

/// Discards every log record, but at level `.trace`, so the handler's logging code (metadata built
/// from attacker-controlled strings) runs on every input instead of being skipped.
struct DiscardingLogHandler: LogHandler {
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        // Touch what a real handler would render.
        _ = event.message.description.utf8.count
        if let metadata = event.metadata { for (_, value) in metadata { _ = value.description.utf8.count } }
    }
}

enum FuzzTarget {
    /// The repository's `conf/`, found from this file's path, unless `SWITCHD_FUZZ_CONF` names another.
    static var configurationDirectory: String {
        if let given = getenv("SWITCHD_FUZZ_CONF") { return String(cString: given) }
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // SwitchdFuzz.swift, SwitchdFuzz, Sources
        return parts.joined(separator: "/") + "/conf"
    }

    /// Built once per process: loading the conf is far too slow to repeat per input.
    static let handler: RequestHandler = {
        let directory = configurationDirectory
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(directory: directory)
        } catch {
            writeError("SwitchdFuzz: cannot load \(directory): \(error)\n")
            exit(2)
        }
        let logger = Logger(label: "fuzz", factory: { _ in DiscardingLogHandler() })
        // The untrusted source must never be rate-limited or banned (the clock below never advances, so
        // no bucket would ever refill), or most inputs would stop at the guard; its bookkeeping still
        // runs for each of them.
        let limits = LimitSettings.unlimited
        // A fixed clock and nonce secret: the digest seeds carry nonces minted with them (see
        // fuzz/make-digest-seeds.py), and outcomes do not depend on when an input runs.
        return RequestHandler(
            plans: PlanStore(configuration.plan), counters: Counters(), logger: logger, limits: limits,
            nonceSecret: [UInt8](repeating: 0x5A, count: 32), clock: { fixedTime })
    }()

    static let fixedTime: Double = 1_800_000_000

    /// Inside every sample customer's `networks`: trusted by address, exempt from limits, reaches the plan.
    static let trustedSource = SocketAddress(host: "127.0.0.1", port: 5060)!
    /// Outside every `networks`: challenged (401) unless its credentials are valid.
    static let untrustedSource = SocketAddress(host: "192.0.2.1", port: 5060)!

    /// One input, from both sources. A reply is never empty. `show` prints each reply (the runner's --show).
    static func run(_ bytes: [UInt8], show: Bool = false) {
        for source in [trustedSource, untrustedSource] {
            guard let reply = handler.handle(bytes, from: source) else {
                if show { print("--- from \(source): no reply") }
                continue
            }
            if reply.bytes.isEmpty {
                writeError("SwitchdFuzz: empty reply\n")
                abort()
            }
            if show { print("--- from \(source) to \(reply.destination):\n\(String(decoding: reply.bytes, as: UTF8.self))") }
        }
        stream(bytes)
    }

    /// The same bytes as a TCP stream: the framer must cut them into the same frames however they are
    /// segmented (whole, or in pieces whose size the first byte picks), and every frame is answered
    /// as the stream handler would.
    static func stream(_ bytes: [UInt8]) {
        let whole = frames(bytes, piece: bytes.count)
        let piece = 1 + Int(bytes.first ?? 0) % 64
        guard frames(bytes, piece: piece) == whole else {
            writeError("SwitchdFuzz: the stream framer's frames depend on segmentation (pieces of \(piece))\n")
            abort()
        }
        for frame in whole {
            switch frame {
            case .message(let message): _ = handler.handle(message, from: trustedSource, transport: .tcp)
            case .unframeable(let header, let error): _ = handler.answerUnframeable(header: header, error, from: trustedSource)
            case .keepAlive, .overflow: break
            }
        }
    }

    static func frames(_ bytes: [UInt8], piece: Int) -> [StreamFrame] {
        // A small limit, so that inputs reach the too-large and overflow paths too.
        var framer = StreamFramer(maximumMessage: 4_096)
        var result: [StreamFrame] = []
        var start = 0
        repeat {
            let end = min(start + max(piece, 1), bytes.count)
            framer.append(bytes[start..<end])
            while let frame = framer.next() { result.append(frame) }
            start = end
        } while start < bytes.count
        return result
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.run(bytes)
    return 0
}

#if FUZZING
    /// Runs `body` with LeakSanitizer ignoring the allocations it makes (when LSan is linked in at all).
    func withLeakChecksDisabled(_ body: () -> Void) {
        typealias Toggle = @convention(c) () -> Void
        let disable = dlsym(nil, "__lsan_disable").map { unsafeBitCast($0, to: Toggle.self) }
        let enable = dlsym(nil, "__lsan_enable").map { unsafeBitCast($0, to: Toggle.self) }
        if disable == nil, getenv("SWITCHD_FUZZ_QUIET") == nil {
            writeError("SwitchdFuzz: LeakSanitizer not found; conf-loading leaks will not be suppressed\n")
        }
        disable?()
        body()
        enable?()
    }

    @main
    enum FuzzerMain {
        static func main() {
            // Load the conf before the first input. TOMLKit leaks a few C strings per conf load (strdup'd
            // values, key arrays: about 18 KB for the sample conf); hidden from LeakSanitizer here, so that
            // only leaks of the per-datagram path fail the run.
            withLeakChecksDisabled { _ = FuzzTarget.handler }
            if CommandLine.arguments.dropFirst().first == "--show" { Replay.main(); return }
            FuzzInputs.runLibFuzzer(fuzzOneInput)
        }
    }
#else
    @main
    enum RegressionRunner {
        static func main() { Replay.main() }
    }
#endif

/// Regression runner: each argument is a file (or a directory of files) replayed once, from both
/// sources, as the fuzzer does; `--show` also prints the replies (the fuzzing build takes `--show` too).
enum Replay {
    static func main() {
        var paths = Array(CommandLine.arguments.dropFirst())
        let show = paths.first == "--show"
        if show { paths.removeFirst() }
        if paths.isEmpty {
            writeError("usage: SwitchdFuzz [--show] FILE|DIR...  (replays each input through RequestHandler.handle)\n")
            exit(2)
        }
        let count = FuzzInputs.forEach(paths, tool: "SwitchdFuzz") { file, bytes in
            if show {
                print("=== \(file)")
                FuzzTarget.run(bytes, show: true)
            } else {
                _ = bytes.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
            }
        }
        print("SwitchdFuzz: replayed \(count) input(s) without a crash")
    }
}

func writeError(_ text: String) { FuzzInputs.writeError(text) }
