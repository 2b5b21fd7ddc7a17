// libFuzzer target for configuration loading: each input is a small configuration directory held in
// memory (switchd.toml, groups/harbor.toml and three customers, split at the byte 0x1E: see
// `InMemorySource.init(fuzzInput:)`), loaded by `ConfigLoader.load(_:)` exactly as `check`, `run` and a
// reload load a directory from disk, so cross-file rules (groups, CMs, access codes, domains, prefix
// conflicts) are reached as well as every file's contents. No disk is touched.
//
// What counts as a finding, besides a crash, a sanitizer report or a timeout (a hang): a load that
// fails with no diagnostic, or a diagnostic that is not one line of `conf/FILE: error: ...` or
// `conf/FILE:LINE:COL: error: ...` naming a file of the directory. A load that succeeds is routed a
// few calls, so the compiled plan's lookups run on whatever the compiler built.
//
// Two builds of this file, as for Sources/SwitchdFuzz:
// - fuzzing (`bash fuzz/run-config.sh`): `swift build -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address`;
//   `main` hands the command line to libFuzzer's driver.
// - regression runner (a plain build): `swift run ConfigFuzz FILE|DIR...` loads each input once and
//   prints the outcome (`--quiet`: only the count).

import Config
import FuzzInputs
import Glibc
import Routing

enum ConfigFuzzTarget {
    /// A finding that is not a crash: printed, then abort() so libFuzzer keeps the input.
    static func fail(_ message: String) -> Never {
        writeError("ConfigFuzz: \(message)\n")
        abort()
    }

    /// Loads one input; returns a one-line outcome for the regression runner.
    @discardableResult
    static func run(_ bytes: [UInt8]) -> String {
        let source = InMemorySource(fuzzInput: bytes)
        do throws(ConfigError) {
            let configuration = try ConfigLoader.load(source)
            exercise(configuration.plan)
            return "OK: \(configuration.plan.summary)"
        } catch {
            if error.diagnostics.isEmpty { fail("a load failed without a diagnostic") }
            for diagnostic in error.diagnostics {
                let line = diagnostic.description
                if let problem = formatProblem(line, files: source) { fail("\(problem): \(line.debugDescription)") }
            }
            return "\(error.diagnostics.count) error(s); first: \(error.diagnostics[0])"
        }
    }

    /// Why `line` is not a well-formed diagnostic about a file of `source`, or nil when it is.
    static func formatProblem(_ line: String, files source: InMemorySource) -> String? {
        if line.contains(where: \.isNewline) { return "a diagnostic spans lines" }
        let known = ["conf"] + InMemorySource.fuzzLayout.map { "conf/\($0)" } + ["conf/groups", "conf/customers"]
        for name in known {
            guard line.hasPrefix(name) else { continue }
            let rest = line.dropFirst(name.count)
            if rest.hasPrefix(": error: ") { return nil }
            // FILE:LINE:COL: error:
            let fields = rest.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            if fields.count == 4, fields[0].isEmpty, Int(fields[1]) != nil, Int(fields[2]) != nil, fields[3].hasPrefix(" error: ")
            {
                return nil
            }
        }
        return "a diagnostic that does not start with FILE: error: or FILE:LINE:COL: error:"
    }

    /// Routes a few calls as every customer (identified by its first domain), as the SIP front does
    /// once its trust gate admitted the caller.
    static func exercise(_ plan: DialPlan) {
        for id in plan.customerIDs {
            guard let realm = plan.realm(ofCustomer: id), let caller = plan.caller(fromHost: realm) else { continue }
            for dialled in [
                "201", "71201", "9123", "7", "", "*97", "100", "72100", "0", "911", "9999", "+12125550100", "+", "900441",
            ] {
                _ = plan.dial(dialled, as: caller).reason.utf8.count
                _ = plan.dial(dialled, as: caller, fromUser: "201").reason.utf8.count
                _ = plan.hasExtension(dialled, customer: id)
                _ = plan.isExtension(dialled, of: caller)
            }
            _ = plan.isTrunkHost(realm)
            _ = plan.dial("201", as: caller, requestURIHost: "globex.example").reason.utf8.count
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    ConfigFuzzTarget.run(bytes)
    return 0
}

#if FUZZING
    @main
    enum FuzzerMain {
        static func main() { FuzzInputs.runLibFuzzer(configFuzzOneInput) }
    }
#else
    @main
    enum RegressionRunner {
        static func main() {
            var paths = Array(CommandLine.arguments.dropFirst())
            let quiet = paths.first == "--quiet"
            if quiet { paths.removeFirst() }
            if paths.isEmpty {
                writeError("usage: ConfigFuzz [--quiet] FILE|DIR...  (loads each input as a configuration directory)\n")
                exit(2)
            }
            let count = FuzzInputs.forEach(paths, tool: "ConfigFuzz") { file, bytes in
                let outcome = ConfigFuzzTarget.run(bytes)
                if !quiet { print("\(file): \(outcome)") }
            }
            print("ConfigFuzz: loaded \(count) input(s) without a crash")
        }
    }
#endif

func writeError(_ text: String) { FuzzInputs.writeError(text) }
