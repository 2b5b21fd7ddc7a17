import ArgumentParser
import Config
import Routing

/// `switchd check`: is my configuration valid? Every problem, one per line, exit 1; or a summary, exit 0.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a configuration directory and report every problem.")

    @OptionGroup var options: ConfOptions

    func run() throws {
        let configuration = try options.load()
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
