/// Reads `[limits]` of `switchd.toml`; every value must be a positive number (no silent defaults for a
/// value that is present but wrong).
enum LimitSettingsParser {
    static func parse(_ section: TOMLSection, log: inout DiagnosticLog) -> LimitSettings {
        let keys = ["rate", "burst", "auth_failures", "failure_window", "ban_seconds", "max_tracked_addresses", "log_interval", "untrusted_rate", "untrusted_burst"]
        section.rejectUnknownKeys(known: keys, in: &log)
        var limits = LimitSettings()
        func number(_ key: String, integerOnly: Bool = false) -> Double? {
            guard let value = section.table[key] else { return nil }
            let parsed = integerOnly ? value.int.map(Double.init) : (value.double ?? value.int.map(Double.init))
            guard let parsed, parsed > 0 else {
                log.error(section.file, "\(section.qualified(key)) must be a positive \(integerOnly ? "integer" : "number"), e.g. \(key) = \(integerOnly ? "10" : "20")")
                return nil
            }
            return parsed
        }
        if let value = number("rate") { limits.rate = value }
        if let value = number("burst") {
            if value >= 1 { limits.burst = value } else { log.error(section.file, "\(section.qualified("burst")) must be at least 1") }
        }
        if let value = number("auth_failures", integerOnly: true) { limits.authFailuresBeforeBan = Int(value) }
        if let value = number("failure_window") { limits.failureWindow = value }
        if let value = number("ban_seconds") { limits.banSeconds = value }
        if let value = number("max_tracked_addresses", integerOnly: true) { limits.maxTrackedAddresses = Int(value) }
        if let value = number("log_interval") { limits.logInterval = value }
        if let value = number("untrusted_rate") { limits.untrustedRate = value }
        if let value = number("untrusted_burst") {
            if value >= 1 { limits.untrustedBurst = value } else { log.error(section.file, "\(section.qualified("untrusted_burst")) must be at least 1") }
        }
        return limits
    }
}
