import Foundation
import Testing

@testable import Config
@testable import Routing

/// The package root, found from this file: Tests/ConfigTests/Support/Variant.swift.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The sample `conf/` as relative path -> text (switchd.toml, groups/*.toml, customers/*.toml).
let sampleFiles: [String: String] = {
    let conf = packageRoot.appendingPathComponent("conf")
    var files: [String: String] = [:]
    for relative in ["switchd.toml", "numbering.toml"] {
        files[relative] = try? String(contentsOf: conf.appendingPathComponent(relative), encoding: .utf8)
    }
    for folder in ["groups", "customers"] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: conf.appendingPathComponent(folder).path)) ?? []
        for name in names where name.hasSuffix(".toml") {
            files["\(folder)/\(name)"] = try? String(
                contentsOf: conf.appendingPathComponent("\(folder)/\(name)"), encoding: .utf8)
        }
    }
    return files
}()

/// One configuration directory to load: files (path -> bytes) and extra folders, as an `InMemorySource`.
struct Variant: Sendable, CustomTestStringConvertible {
    let name: String
    var files: [String: [UInt8]]
    var folders: Set<String> = []
    /// True when the variant can never be valid (a NUL, garbage, a huge or too deep file): it must be reported.
    var mustFail = false

    init(_ name: String, files: [String: [UInt8]], folders: Set<String> = [], mustFail: Bool = false) {
        self.name = name
        self.files = files
        self.folders = folders
        self.mustFail = mustFail
    }

    init(_ name: String, texts: [String: String], mustFail: Bool = false) {
        self.init(name, files: texts.mapValues { Array($0.utf8) }, mustFail: mustFail)
    }

    var source: InMemorySource { InMemorySource(displayName: "conf", files: files, folders: folders) }

    var testDescription: String { name }
}

enum Outcome: Equatable {
    case loaded
    case reported([String])
}

/// Loads `variant` in-process and checks the outcome's form: a `Configuration`, or a `ConfigError`
/// with at least one diagnostic, each one line of `FILE: error: ...` or `FILE:LINE:COL: error: ...`
/// naming the directory, one of its files or folders, or a folder it must have. Returns the outcome
/// and what is wrong with it (nothing, when it is well-formed).
func load(_ variant: Variant) -> (Outcome, [String]) {
    let outcome: Outcome
    do throws(ConfigError) {
        _ = try ConfigLoader.load(variant.source)
        outcome = .loaded
    } catch {
        outcome = .reported(error.diagnostics.map(\.description))
    }
    guard case .reported(let lines) = outcome else {
        return (outcome, variant.mustFail ? ["loaded, but it can never be valid"] : [])
    }
    if lines.isEmpty { return (outcome, ["failed without a diagnostic"]) }
    var named: Set<String> = ["conf", "conf/customers", "conf/groups"]
    for path in Array(variant.files.keys) + Array(variant.folders) { named.insert("conf/" + DiagnosticText.oneLine(path)) }
    return (outcome, lines.compactMap { line in problem(with: line, naming: named).map { "\($0): \(line.debugDescription)" } })
}

/// Why `line` is not a well-formed diagnostic about one of `named`, or nil.
func problem(with line: String, naming named: Set<String>) -> String? {
    if line.unicodeScalars.contains(where: {
        $0.value < 0x20 || $0.value == 0x7F || $0.properties.isNoncharacterCodePoint || $0 == "\u{2028}" || $0 == "\u{2029}"
            || $0 == "\u{85}"
    }) {
        return "a control character or line break in a diagnostic"
    }
    guard let match = line.wholeMatch(of: /(?<file>[^:]+)(?<position>:[0-9]+:[0-9]+)?: error: (?<message>\S.*)/) else {
        return "not FILE: error: MESSAGE or FILE:LINE:COL: error: MESSAGE"
    }
    return named.contains(String(match.output.file)) ? nil : "names no file of the directory"
}
