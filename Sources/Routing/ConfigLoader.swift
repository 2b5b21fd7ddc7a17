import Config

/// A loaded, validated configuration directory: the server settings and the compiled dial plan.
public struct Configuration: Sendable {
    public let server: ServerSettings
    public let plan: DialPlan
}

/// Reads a configuration directory, checks every file and every cross-file rule, and compiles the dial
/// plan. Nothing is half-loaded: either a whole `Configuration` comes back or a `ConfigError` listing
/// every problem.
public enum ConfigLoader {
    public static func load(directory: String) throws(ConfigError) -> Configuration {
        try load(DirectorySource(path: directory))
    }

    public static func load(_ source: ConfigSource) throws(ConfigError) -> Configuration {
        let model = ConfigReader.read(source)
        var log = model.log
        let plan = DialPlanCompiler.compile(
            customers: model.customers, groups: model.groups, numbering: model.numbering, log: &log)
        guard log.isEmpty else { throw ConfigError(log.diagnostics) }
        return Configuration(server: model.server, plan: plan)
    }
}
