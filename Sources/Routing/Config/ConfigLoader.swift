import Foundation
import TOMLKit

/// A loaded, validated configuration directory: the server settings and the compiled dial plan.
public struct Configuration: Sendable {
    public let server: ServerSettings
    public let plan: DialPlan
}

/// Reads a configuration directory (`switchd.toml`, `groups/*.toml`, `customers/*.toml`), checks every
/// file and every cross-file rule, and compiles the dial plan. Nothing is half-loaded: either a whole
/// `Configuration` comes back or a `ConfigError` listing every problem.
public enum ConfigLoader {
    public static func load(directory: String) throws(ConfigError) -> Configuration {
        var log = DiagnosticLog()
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError([ConfigDiagnostic(file: base, message: "configuration directory not found")])
        }

        let server = loadServerSettings(path: "\(base)/switchd.toml", log: &log)

        var groups: [GroupSpec] = []
        for (id, path) in tomlFiles(in: "\(base)/groups", required: false, log: &log) {
            // The group exists as soon as its file does: a broken file is reported for what it is, and
            // its customers' cross-file checks (CMs, access codes) still run.
            var name = id
            if let root = parseFile(path, log: &log) {
                root.rejectUnknownKeys(known: ["name"], in: &log)
                if root.requireKey("name", hint: "the group's display name, e.g. name = \"Harbor Holdings\"", in: &log),
                   let given = root.string("name", typeHint: "a quoted string", in: &log) {
                    name = given
                }
            }
            groups.append(GroupSpec(id: id, file: path, name: name))
        }

        var customers: [CustomerSpec] = []
        for (id, path) in tomlFiles(in: "\(base)/customers", required: true, log: &log) {
            guard let root = parseFile(path, log: &log) else { continue }
            if let customer = CustomerFileParser.parse(root, id: id, log: &log) {
                customers.append(customer)
            }
        }

        let plan = DialPlanCompiler.compile(customers: customers, groups: groups, log: &log)
        guard log.isEmpty else { throw ConfigError(log.diagnostics) }
        return Configuration(server: server ?? ServerSettings(), plan: plan)
    }

    /// `switchd.toml` may be absent (the defaults apply), but when present it is checked like the rest.
    private static func loadServerSettings(path: String, log: inout DiagnosticLog) -> ServerSettings? {
        guard FileManager.default.fileExists(atPath: path), let root = parseFile(path, log: &log) else { return nil }
        root.rejectUnknownKeys(known: ["server", "limits", "auth"], in: &log)
        var settings = ServerSettings()
        if let server = root.section("server", typeHint: "a table", in: &log) {
            server.rejectUnknownKeys(known: ["listen", "workers"], in: &log)
            if let workers = server.integer("workers", typeHint: "a number of threads, e.g. 1", in: &log) {
                if ServerSettings.workerRange.contains(workers) {
                    settings.workers = workers
                } else {
                    let range = ServerSettings.workerRange
                    log.error(path, "server.workers must be between \(range.lowerBound) and \(range.upperBound), not \(workers)")
                }
            }
            if let texts = server.stringArray("listen", typeHint: "an array of \"udp:HOST:PORT\" strings", in: &log) {
                if texts.isEmpty { log.error(path, "server.listen must name at least one address, e.g. [\"udp:127.0.0.1:5060\"]") }
                settings.listen = []
                for text in texts {
                    switch ListenAddress.parse(text) {
                    case .success(let address): settings.listen.append(address)
                    case .failure(let error): log.error(path, "server.listen: \"\(text)\" \(error)")
                    }
                }
            }
        }
        if let limits = root.section("limits", typeHint: "a table", in: &log) {
            settings.limits = LimitSettingsParser.parse(limits, log: &log)
        }
        if let auth = root.section("auth", typeHint: "a table", in: &log) {
            auth.rejectUnknownKeys(known: ["nonce_lifetime"], in: &log)
            if let lifetime = auth.integer("nonce_lifetime", typeHint: "a number of seconds, e.g. 300", in: &log) {
                if (10...86_400).contains(lifetime) {
                    settings.nonceLifetime = lifetime
                } else {
                    log.error(path, "auth.nonce_lifetime must be between 10 and 86400 seconds, not \(lifetime)")
                }
            }
        }
        return settings
    }

    /// The `*.toml` files of a folder as (id, path), sorted; editor backups and dot-files are skipped.
    private static func tomlFiles(in folder: String, required: Bool, log: inout DiagnosticLog) -> [(String, String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            if required { log.error(folder, "directory not found (it holds one <id>.toml file per customer)") }
            return []
        }
        return names.sorted()
            .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") && $0.count > 5 }
            .map { (String($0.dropLast(5)), "\(folder)/\($0)") }
    }

    private static func parseFile(_ path: String, log: inout DiagnosticLog) -> TOMLSection? {
        guard let data = FileManager.default.contents(atPath: path) else {
            log.error(path, "cannot be read")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            log.error(path, "is not valid UTF-8 text")
            return nil
        }
        do {
            let table = try TOMLTable(string: text)
            return TOMLSection(table: table, file: path, path: "")
        } catch let error as TOMLParseError {
            log.error(path, error.description, line: error.source.begin.line, column: error.source.begin.column)
        } catch {
            log.error(path, "cannot be parsed: \(error)")
        }
        return nil
    }
}
