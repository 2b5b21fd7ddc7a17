import ArgumentParser

/// `switchd run`: the SIP daemon (the SIP front lands with the next issue).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the SIP daemon.")
    @OptionGroup var options: ConfOptions

    func run() throws {
        printToStandardError("switchd run: the SIP front is not built yet")
        throw ExitCode.failure
    }
}
