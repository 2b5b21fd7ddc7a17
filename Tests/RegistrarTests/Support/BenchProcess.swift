import Foundation

/// The built `RegistrarBench` executable: next to the test bundle (SwiftPM puts both in one products
/// directory), else in `.build/debug`; `REGISTRAR_BENCH_BINARY` overrides the search.
enum RegistrarBenchBinary {
    static let url: URL? = {
        if let path = ProcessInfo.processInfo.environment["REGISTRAR_BENCH_BINARY"] { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        #if os(Linux)
            directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        #endif
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        directories.append(root.appendingPathComponent(".build/debug"))
        return
            directories
            .map { $0.appendingPathComponent("RegistrarBench") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "RegistrarBench was not found next to the tests; build it or set REGISTRAR_BENCH_BINARY" }
    }
}
