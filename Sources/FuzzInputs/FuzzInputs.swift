// What both fuzz targets share: libFuzzer's driver (fuzzing builds), and for their regression runners
// the inputs named on the command line (a directory stands for the files in it) read whole, and
// messages to standard error. The targets differ only in what they do with each input.
import Glibc

public enum FuzzInputs {
    /// Calls `body` with each input of `paths` in order (a directory's files sorted, dot files skipped);
    /// returns how many there were. An unreadable file ends the run with status 2, naming `tool`.
    public static func forEach(_ paths: [String], tool: String, _ body: (_ path: String, _ bytes: [UInt8]) -> Void) -> Int {
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let bytes = readFile(file) else {
                    writeError("\(tool): cannot read \(file)\n")
                    exit(2)
                }
                body(file, bytes)
                count += 1
            }
        }
        return count
    }

    /// One message to standard error through write(2): the C `stderr` global is not concurrency-safe
    /// in Swift 6.
    public static func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(2, &bytes, bytes.count)
    }

    static func files(at path: String) -> [String] {
        guard let directory = opendir(path) else { return [path] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append("\(path)/\(name)") }
        }
        return names.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count { break }
        }
        return bytes
    }

    #if FUZZING
        /// Hands the command line to libFuzzer's driver, which calls `callback` per input. The target's
        /// own `main` must do this: SwiftPM links every executable with `--defsym main=<Target>_main`,
        /// so the `main` that `-sanitize=fuzzer` brings is never the entry point.
        public static func runLibFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(llvmFuzzerRunDriver(&argc, &argv, callback))
        }
    #endif
}

#if FUZZING
    // libFuzzer's driver, in the runtime `-sanitize=fuzzer` links.
    @_silgen_name("LLVMFuzzerRunDriver")
    func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif
