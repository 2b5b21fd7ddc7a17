import ArgumentParser
import Config
import Routing
import Server

/// `switchd check`: is my configuration valid? Every problem, one per line, exit 1; or a summary, exit 0.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a configuration directory and report every problem.")

    @OptionGroup var options: ConfOptions

    func run() throws {
        let configuration = try options.load()
        // The TLS files are loaded as the daemon would load them: a certificate that cannot serve is a
        // configuration error, found here rather than at the next start or reload.
        if let tls = configuration.server.tls {
            do throws(TLSLoadError) {
                try TLSCredentials.validate(tls, configDirectory: options.conf)
            } catch {
                printToStandardError("\(options.conf)/switchd.toml: error: \(error)")
                printToStandardError("1 error")
                throw ExitCode.failure
            }
        }
        print("\(options.conf): OK: \(configuration.plan.summary)")
    }
}

func printErrors(_ error: ConfigError) {
    for diagnostic in error.diagnostics {
        printToStandardError(diagnostic.description)
    }
    let count = error.diagnostics.count
    printToStandardError("\(count) \(count == 1 ? "error" : "errors")")
}
