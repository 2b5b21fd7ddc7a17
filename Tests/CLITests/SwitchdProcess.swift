import Foundation

/// Runs the built `switchd` executable and captures what it prints.
///
/// The executable is looked up next to the running test bundle (SwiftPM puts both in the same products
/// directory, whatever `--scratch-path` is), then in `.build/debug` and `.build-rt/debug` of the package;
/// `SWITCHD_BINARY` overrides the search.
enum Switchd {
    struct Result: Sendable, CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String

        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// The nearest directory above this file that holds Package.swift.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    static let executable: URL? = {
        if let path = ProcessInfo.processInfo.environment["SWITCHD_BINARY"] { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        #if os(Linux)
            directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        #endif
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for scratch in [".build", ".build-rt"] {
            directories.append(packageRoot.appendingPathComponent("\(scratch)/debug"))
        }
        return
            directories
            .map { $0.appendingPathComponent("switchd") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        guard let executable else { throw NotBuilt() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // Files, not pipes: nothing can block however much the command prints.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("switchd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "the switchd executable was not found next to the tests; build it or set SWITCHD_BINARY" }
    }
}

/// A configuration directory in a unique temporary folder, removed after `body`.
func withConf<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("switchd-cli-conf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: base) }
    for (relative, contents) in files {
        let url = base.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }
    return try body(base.path)
}

/// acme (71, networks 10.1.0.0/16) and globex (72) in group harbor; initech in no group.
let cliConf: [String: String] = [
    "groups/harbor.toml": "name = \"Harbor\"\n",
    "customers/acme.toml": """
    name = "Acme Corp"
    cm = 3
    domains = ["acme.example"]
    group = "harbor"
    access_code = "71"
    networks = ["10.1.0.0/16"]
    [extensions]
    "201" = "sip:201@10.1.0.21:5060"
    [trunks."9"]
    gateway = "sip:{number}@gw.acme.example"
    """,
    "customers/globex.toml": """
    name = "Globex"
    cm = 3
    domains = ["globex.example"]
    group = "harbor"
    access_code = "72"
    [extensions]
    "100-299" = "sip:{ext}@pbx.globex.example"
    [trunks."9"]
    gateway = "sip:{number}@gw.globex.example"
    """,
    "customers/initech.toml": """
    name = "Initech"
    cm = 3
    domains = ["initech.example"]
    [extensions]
    "4000" = "sip:4000@10.3.0.1"
    """,
]
