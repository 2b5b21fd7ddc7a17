import TOMLKit

/// The file-level part of reading: which files a folder holds, and each file's bytes turned into a
/// TOML table, with every way that can fail (absent, a folder, unreadable, too large, not UTF-8, not
/// TOML) reported against the file's name.
struct ConfigFiles {
    let source: ConfigSource

    /// Larger than any real configuration file (a customer with 50,000 explicit extensions is about
    /// 2 MB): a bigger file is a mistake, and parsing it would only make `check` or a reload slow.
    static let maximumFileSize = 4 * 1024 * 1024

    func displayPath(_ relativePath: String) -> String {
        "\(source.displayName)/\(relativePath)"
    }

    /// The `*.toml` files of a folder as (id, relative path), sorted; editor backups and dot-files are
    /// skipped.
    func tomlFiles(in folder: String, required: Bool, log: inout DiagnosticLog) -> [(String, String)] {
        switch source.entry(at: folder) {
        case .missing:
            if required { log.error(displayPath(folder), "directory not found (it holds one <id>.toml file per customer)") }
            return []
        case .file, .special:
            log.error(displayPath(folder), "must be a directory of <id>.toml files, not a file")
            return []
        case .folder:
            break
        }
        guard let names = source.names(inFolder: folder) else {
            log.error(displayPath(folder), "cannot be read")
            return []
        }
        return names.sorted()
            .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") && $0.count > 5 }
            .map { (String($0.dropLast(5)), "\(folder)/\($0)") }
    }

    /// The file's top-level table, or nil (with a diagnostic, unless an optional file is absent).
    func parse(_ relativePath: String, required: Bool, log: inout DiagnosticLog) -> TOMLSection? {
        let file = displayPath(relativePath)
        switch source.entry(at: relativePath) {
        case .missing:
            if required { log.error(file, "cannot be read: no such file") }
            return nil
        case .folder:
            log.error(file, "is a directory, not a TOML file")
            return nil
        case .special:
            log.error(file, "is not a regular file (a FIFO, device or socket); a configuration file must be a plain TOML file")
            return nil
        case .file:
            break
        }
        let bytes: [UInt8]
        switch source.read(file: relativePath, maximumSize: Self.maximumFileSize) {
        case .contents(let contents):
            bytes = contents
        case .tooLarge(let size):
            let actual = size.map { "is \($0) bytes" } ?? "is more than \(Self.maximumFileSize) bytes"
            log.error(file, "\(actual); a configuration file may be at most \(Self.maximumFileSize) bytes")
            return nil
        case .unreadable(let reason):
            log.error(file, "cannot be read: \(reason)")
            return nil
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            log.error(file, "is not valid UTF-8 text")
            return nil
        }
        if let problem = TOMLPreflight.check(bytes) {
            log.error(file, problem.message, line: problem.line, column: problem.column)
            return nil
        }
        do {
            let table = try TOMLTable(string: text)
            return TOMLSection(table: table, file: file, path: "")
        } catch let error as TOMLParseError {
            log.error(file, error.description, line: error.source.begin.line, column: error.source.begin.column)
        } catch {
            log.error(file, "cannot be parsed: \(error)")
        }
        return nil
    }
}
