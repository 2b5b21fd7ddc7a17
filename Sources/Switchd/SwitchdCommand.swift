import ArgumentParser

@main
struct SwitchdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchd",
        abstract: "A SIP call-routing daemon for multi-tenant cloud PBXs.",
        subcommands: [RunCommand.self, CheckCommand.self, RouteCommand.self])
}

/// `--conf DIR`, shared by every subcommand.
struct ConfOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration directory.", valueName: "DIR"))
    var conf: String = "conf"
}
