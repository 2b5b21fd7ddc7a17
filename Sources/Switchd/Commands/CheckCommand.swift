import ArgumentParser
import Routing

/// `switchd check`: is my configuration valid? Every problem, one per line, exit 1; or a summary, exit 0.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a configuration directory and report every problem.")

    @OptionGroup var options: ConfOptions

    func run() throws {
        do {
            let configuration = try ConfigLoader.load(directory: options.conf)
            print("\(options.conf): OK: \(configuration.plan.summary)")
        } catch {
            printErrors(error)
            throw ExitCode.failure
        }
    }
}

func printErrors(_ error: ConfigError) {
    for diagnostic in error.diagnostics {
        printToStandardError(diagnostic.description)
    }
    let count = error.diagnostics.count
    printToStandardError("\(count) \(count == 1 ? "error" : "errors")")
}
