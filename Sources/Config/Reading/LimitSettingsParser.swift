/// Reads `[limits]` of `switchd.toml`; every value must be a positive number (no silent defaults for a
/// value that is present but wrong) and at most a generous maximum.
///
/// The maxima are not style: the daemon allocates `max_tracked_addresses` slots up front (a huge value
/// made `run` die at start), logs `Int(ban_seconds)` (a value beyond Int's range trapped at the first
/// ban), and computes token buckets in floating point (`inf` or `nan` made every source rate-limited).
/// TOML's `inf` and `nan` are refused with every other value out of range.
enum LimitSettingsParser {
    static let keys = [
        "rate", "burst", "auth_failures", "failure_window", "ban_seconds", "max_tracked_addresses", "log_interval",
        "untrusted_rate", "untrusted_burst", "max_connections", "max_connections_per_address", "message_timeout",
        "idle_timeout", "max_message_size",
    ]
    /// Each connection holds a descriptor and its buffers; beyond this the process's file limit is the
    /// real bound anyway.
    static let maximumConnections = 1_000_000
    /// Smallest and largest stream message: a REGISTER with a few Contacts is well over 1 KB, and
    /// RFC 3261's UDP bound (65,535) is the most a reply can echo back.
    static let messageSizes = 1_500...65_535

    /// A year, for the windows and bans counted in seconds.
    static let maximumSeconds = 31_536_000
    static let maximumRate = 1_000_000
    static let maximumUntrustedRate = 10_000_000
    static let maximumAuthFailures = 1_000_000
    /// Two tables of this many slots are allocated at start (about 50 MB at this maximum).
    static let maximumTrackedAddresses = 1_048_576

    static func parse(_ section: TOMLSection, log: inout DiagnosticLog) -> LimitSettings {
        section.rejectUnknownKeys(known: keys, in: &log)
        var limits = LimitSettings()
        func number(_ key: String, atLeastOne: Bool = false, maximum: Int, example: String) -> Double? {
            guard let value = section.table[key] else { return nil }
            let parsed = value.double ?? value.int.map(Double.init)
            // nan fails every comparison, so it is refused with the rest.
            guard let parsed, atLeastOne ? parsed >= 1 : parsed > 0, parsed <= Double(maximum) else {
                let lowest = atLeastOne ? "a number from 1" : "a positive number"
                log.error(section.file, "\(section.qualified(key)) must be \(lowest) up to \(maximum), e.g. \(key) = \(example)")
                return nil
            }
            return parsed
        }
        func integer(_ key: String, maximum: Int, example: String) -> Int? {
            guard let value = section.table[key] else { return nil }
            // An Int read as an Int: through Double, 9223372036854775807 rounds up past Int.max and traps.
            guard let parsed = value.int, (1...maximum).contains(parsed) else {
                log.error(
                    section.file, "\(section.qualified(key)) must be an integer from 1 to \(maximum), e.g. \(key) = \(example)")
                return nil
            }
            return parsed
        }
        if let value = number("rate", maximum: maximumRate, example: "20") { limits.rate = value }
        if let value = number("burst", atLeastOne: true, maximum: maximumRate, example: "40") { limits.burst = value }
        if let value = integer("auth_failures", maximum: maximumAuthFailures, example: "10") {
            limits.authFailuresBeforeBan = value
        }
        if let value = number("failure_window", maximum: maximumSeconds, example: "60") { limits.failureWindow = value }
        if let value = number("ban_seconds", maximum: maximumSeconds, example: "600") { limits.banSeconds = value }
        if let value = integer("max_tracked_addresses", maximum: maximumTrackedAddresses, example: "65536") {
            limits.maxTrackedAddresses = value
        }
        if let value = number("log_interval", maximum: maximumSeconds, example: "10") { limits.logInterval = value }
        if let value = number("untrusted_rate", maximum: maximumUntrustedRate, example: "2000") { limits.untrustedRate = value }
        if let value = number("untrusted_burst", atLeastOne: true, maximum: maximumUntrustedRate, example: "4000") {
            limits.untrustedBurst = value
        }
        if let value = integer("max_connections", maximum: maximumConnections, example: "10000") {
            limits.streams.maxConnections = value
        }
        if let value = integer("max_connections_per_address", maximum: maximumConnections, example: "64") {
            limits.streams.maxConnectionsPerAddress = value
        }
        if let value = number("message_timeout", maximum: maximumSeconds, example: "10") { limits.streams.messageTimeout = value }
        if let value = number("idle_timeout", maximum: maximumSeconds, example: "300") { limits.streams.idleTimeout = value }
        if let value = section.table["max_message_size"] {
            if let size = value.int, messageSizes.contains(size) {
                limits.streams.maxMessageBytes = size
            } else {
                log.error(
                    section.file,
                    "\(section.qualified("max_message_size")) must be an integer from \(messageSizes.lowerBound) to \(messageSizes.upperBound) bytes, e.g. max_message_size = 65535"
                )
            }
        }
        return limits
    }
}
