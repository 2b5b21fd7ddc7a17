import Foundation

@testable import Config
@testable import Routing

/// A configuration directory written by a test into a unique temporary folder, removed afterwards.
///
///     try TempConf.with(["customers/acme.toml": "..."]) { conf in ... }
///
/// Paths in diagnostics are `conf.path + "/customers/acme.toml"`; `conf.file("customers/acme.toml")` spells them.
struct TempConf {
    let path: String

    /// Writes `files` (relative path -> contents) into a fresh temporary directory, runs `body`, then removes it.
    static func with<T>(_ files: [String: String], _ body: (TempConf) throws -> T) throws -> T {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchd-routing-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let conf = TempConf(path: base.path)
        for (relative, contents) in files {
            try conf.write(relative, contents)
        }
        return try body(conf)
    }

    /// The path a diagnostic names for `relative`.
    func file(_ relative: String) -> String { "\(path)/\(relative)" }

    func write(_ relative: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: file(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Loads the directory; the configuration or the diagnostics, as a value the tests can match on.
    func load() -> Result<Configuration, ConfigError> {
        do throws(ConfigError) {
            return .success(try ConfigLoader.load(directory: path))
        } catch {
            return .failure(error)
        }
    }

    /// The diagnostic lines of a load that must fail (empty when it unexpectedly succeeded).
    func diagnostics() -> [String] {
        switch load() {
        case .success: return []
        case .failure(let error): return error.diagnostics.map(\.description)
        }
    }
}

/// Loads `files` and returns every diagnostic line with the temporary directory replaced by `CONF`,
/// so that tables of expected lines can be written as plain strings.
func diagnostics(of files: [String: String]) throws -> [String] {
    try TempConf.with(files) { conf in
        conf.diagnostics().map { $0.replacingOccurrences(of: conf.path, with: "CONF") }
    }
}

/// Loads `files` that must be valid, and hands back the plan (nil, with the diagnostics, when not).
func loadPlan(_ files: [String: String]) throws -> Result<DialPlan, ConfigError> {
    try TempConf.with(files) { conf in conf.load().map(\.plan) }
}

/// A fixture plan the routing tests share: `files` must load cleanly, or no routing test can mean
/// anything (the test process stops, naming why).
func fixturePlan(_ files: [String: String]) -> DialPlan {
    do {
        switch try loadPlan(files) {
        case .success(let plan): return plan
        case .failure(let error): fatalError("a routing fixture must load cleanly:\n\(error)")
        }
    } catch {
        fatalError("cannot write a routing fixture: \(error)")
    }
}
