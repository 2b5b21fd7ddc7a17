import TOMLKit

/// Everything a configuration directory says, after every file and key was checked on its own: the
/// server settings, the groups and customers whose values passed their checks, and every problem
/// found. A value that failed its check is absent here (its diagnostic says why), so whoever compiles
/// the model never sees it.
public struct ConfigModel: Sendable {
    public var server: ServerSettings
    package var groups: [GroupSpec]
    package var customers: [CustomerSpec]
    /// numbering.toml; nil when the file is absent (no classes, no emergency numbers) or unusable.
    package var numbering: NumberingSpec?
    package var log: DiagnosticLog

    public var diagnostics: [ConfigDiagnostic] { log.diagnostics }
}

/// Reads `switchd.toml`, `numbering.toml`, `groups/*.toml` and `customers/*.toml` from a `ConfigSource`.
public enum ConfigReader {
    public static func read(_ source: ConfigSource) -> ConfigModel {
        var log = DiagnosticLog()
        let files = ConfigFiles(source: source)
        var model = ConfigModel(server: ServerSettings(), groups: [], customers: [], numbering: nil, log: DiagnosticLog())
        guard source.entry(at: "") == .folder else {
            log.error(source.displayName, "configuration directory not found")
            model.log = log
            return model
        }

        if let root = files.parse("switchd.toml", required: false, log: &log) {
            model.server = ServerFileParser.parse(root, log: &log)
        }
        // Before the customers: their trunks and extensions allow classes by the names it defines.
        var classNames: [String]? = NumberingSpec(file: "").classNames
        if source.entry(at: "numbering.toml") != .missing {
            let root = files.parse("numbering.toml", required: true, log: &log)
            model.numbering = root.map { NumberingFileParser.parse($0, log: &log) }
            classNames = model.numbering?.classNames
        }
        for (id, path) in files.tomlFiles(in: "groups", required: false, log: &log) {
            // The group exists as soon as its file does: a broken file is reported for what it is, and
            // its customers' cross-file checks (CMs, access codes) still run.
            let root = files.parse(path, required: true, log: &log)
            model.groups.append(GroupFileParser.parse(root, id: id, file: files.displayPath(path), log: &log))
        }
        for (id, path) in files.tomlFiles(in: "customers", required: true, log: &log) {
            guard let root = files.parse(path, required: true, log: &log) else { continue }
            if let customer = CustomerFileParser.parse(root, id: id, classNames: classNames, log: &log) {
                model.customers.append(customer)
            }
        }
        model.log = log
        return model
    }

    /// A directory on disk.
    public static func read(directory: String) -> ConfigModel {
        read(DirectorySource(path: directory))
    }
}
