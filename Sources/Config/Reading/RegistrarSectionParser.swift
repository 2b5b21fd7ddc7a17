import Registrar
import RegistrarPostgresURL

/// Where the registrar keeps its bindings (`[registrar] store`).
public enum BindingStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// Nothing outlives the process.
    case memory
    /// An SQLite file; a relative path is relative to the configuration directory (so each directory,
    /// a test's included, has bindings of its own).
    case sqlite(path: String)
    /// A PostgreSQL database shared by a cluster of nodes: the URL as written.
    case postgresql(url: String)

    /// `conf/var/bindings.sqlite` for the sample conf: the daemon creates the folder and the file.
    public static let defaultLocation = BindingStoreLocation.sqlite(path: "var/bindings.sqlite")

    public var description: String {
        switch self {
        case .memory: return "memory"
        case .sqlite(let path): return "sqlite:\(path)"
        // PostgresURL's own text: it never shows a password.
        case .postgresql(let url): return (try? PostgresURL(parsing: url)).map { "\($0)" } ?? "postgresql://"
        }
    }

    static func parse(_ text: String) -> BindingStoreLocation? {
        if text == "memory" { return .memory }
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            return path.isEmpty || path.utf8.contains(where: { $0 < 0x20 }) ? nil : .sqlite(path: path)
        }
        return nil
    }
}

/// Reads `[registrar]` of `switchd.toml`. Every value is checked against the others (a default expiry
/// outside min..max would be a registration nobody could make), and a wrong one is reported, never
/// silently replaced.
enum RegistrarSectionParser {
    static let keys = ["default_expires", "min_expires", "max_expires", "max_contacts", "nat_rewrite", "store"]
    /// A day: phones re-register far more often; anything longer is a typo in seconds.
    static let expiryRange = 1...86_400
    static let contactRange = 1...100

    static func parse(_ section: TOMLSection, log: inout DiagnosticLog) -> (RegistrarSettings, BindingStoreLocation) {
        section.rejectUnknownKeys(known: keys, in: &log)
        var settings = RegistrarSettings()
        func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let value = section.integer(key, typeHint: "a whole number of seconds, e.g. \(key) = 3600", in: &log) else {
                return nil
            }
            guard range.contains(value) else {
                log.error(
                    section.file,
                    "\(section.qualified(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
                return nil
            }
            return value
        }
        if let value = integer("min_expires", in: expiryRange) { settings.minExpires = value }
        if let value = integer("max_expires", in: expiryRange) { settings.maxExpires = value }
        if let value = integer("default_expires", in: expiryRange) { settings.defaultExpires = value }
        if settings.minExpires > settings.maxExpires {
            log.error(
                section.file,
                "\(section.qualified("min_expires")) (\(settings.minExpires)) must not be greater than \(section.qualified("max_expires")) (\(settings.maxExpires))"
            )
        } else if !(settings.minExpires...settings.maxExpires).contains(settings.defaultExpires) {
            log.error(
                section.file,
                "\(section.qualified("default_expires")) (\(settings.defaultExpires)) must lie between min_expires (\(settings.minExpires)) and max_expires (\(settings.maxExpires))"
            )
        }
        if let value = section.integer("max_contacts", typeHint: "a number of bindings, e.g. max_contacts = 10", in: &log) {
            if contactRange.contains(value) {
                settings.maxContacts = value
            } else {
                log.error(
                    section.file,
                    "\(section.qualified("max_contacts")) must be between \(contactRange.lowerBound) and \(contactRange.upperBound), not \(value)"
                )
            }
        }
        if let value = section.table["nat_rewrite"] {
            if let flag = value.bool {
                settings.natRewrite = flag
            } else {
                log.error(
                    section.file,
                    "\(section.qualified("nat_rewrite")) must be true or false, not \(TOMLSection.describe(value.type))")
            }
        }
        var store = BindingStoreLocation.defaultLocation
        if let text = section.string(
            "store",
            typeHint:
                "a quoted store, e.g. \"sqlite:var/bindings.sqlite\", \"postgresql://switchd@127.0.0.1:5432/switchd\" or \"memory\"",
            in: &log)
        {
            if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
                // Checked here, without connecting: `switchd check` names a bad URL before any start.
                do {
                    _ = try PostgresURL(parsing: text)
                    store = .postgresql(url: text)
                } catch {
                    log.error(section.file, "\(section.qualified("store")): \(error)")
                }
            } else if let parsed = BindingStoreLocation.parse(text) {
                store = parsed
            } else {
                log.error(
                    section.file,
                    "\(section.qualified("store")): \(DiagnosticText.quoted(text)) must be \"sqlite:PATH\", \"postgresql://USER@HOST:PORT/DB\" or \"memory\""
                )
            }
        }
        return (settings, store)
    }
}
