import ArgumentParser
import Config
import Routing
import Server

/// `switchd diff OLD NEW`: what a configuration change does to everything anyone can dial, as blocks
/// of dial strings per customer. Exit 0 when nothing changes, 1 when something does, 2 when a
/// configuration is invalid (its errors on stderr) or the arguments are wrong.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show which dial strings get another decision under NEW_DIR than under OLD_DIR.")

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Argument(help: ArgumentHelp("The configuration directory serving now.", valueName: "OLD_DIR"))
    var old: String

    @Argument(help: ArgumentHelp("The configuration directory about to serve.", valueName: "NEW_DIR"))
    var new: String

    /// An invalid configuration or wrong arguments.
    static let troubleStatus: Int32 = 2

    func run() throws {
        var plans: [DialPlan] = []
        var invalid = false
        for directory in [old, new] {
            do {
                plans.append(try ConfigLoader.load(directory: directory).plan)
            } catch {
                printErrors(error)
                invalid = true
            }
        }
        guard !invalid, plans.count == 2 else { throw ExitCode(Self.troubleStatus) }
        let diff = DialPlan.diff(plans[0], plans[1])
        print(json ? DiffFormat.json(diff) : DiffFormat.text(diff), terminator: "")
        if !diff.isEmpty { throw ExitCode(1) }
    }
}
