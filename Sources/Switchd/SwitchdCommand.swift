import ArgumentParser
import Foundation
import Routing

@main
struct SwitchdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchd",
        abstract: "A SIP call-routing daemon for multi-tenant cloud PBXs.",
        version: SwitchdVersion.text,
        subcommands: [
            RunCommand.self, CheckCommand.self, RouteCommand.self, DiffCommand.self, RegistrationsCommand.self,
            PasswdCommand.self,
        ])

    /// Like ArgumentParser's own `main`, except that bad arguments exit with 1 (not 64; 2 for `diff`), so
    /// that every failure of a subcommand has the same exit status scripts can test for.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                printToStandardError(fullMessage(for: error))
                // diff's 1 means "something changes": its trouble is 2, as for diff(1).
                Foundation.exit(CommandLine.arguments.dropFirst().first == "diff" ? DiffCommand.troubleStatus : 1)
            }
            exit(withError: error)
        }
    }
}

/// `--conf DIR`, shared by every subcommand.
struct ConfOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration directory.", valueName: "DIR"))
    var conf: String = "conf"

    /// Loads and validates the directory; on failure prints every problem to stderr and exits 1.
    func load() throws -> Configuration {
        do {
            return try ConfigLoader.load(directory: conf)
        } catch {
            printErrors(error)
            throw ExitCode.failure
        }
    }
}
