import ArgumentParser
import Auth
import Routing

#if canImport(Glibc)
    import Glibc
#endif

/// `switchd passwd`: turns an extension's password into the `[credentials]` line to paste into the
/// customer's file. Only HA1 hashes are printed; the password is never stored.
struct PasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Print the [credentials] line for an extension's password (read from a prompt or stdin).")

    @OptionGroup var options: ConfOptions

    @Option(help: ArgumentHelp("The customer id (its file name in customers/, without .toml).", valueName: "ID"))
    var customer: String

    @Argument(help: "The extension the password belongs to (the digest user name).")
    var ext: String

    func run() throws {
        let configuration = try options.load()
        let plan = configuration.plan
        guard let realm = plan.realm(ofCustomer: customer) else {
            printToStandardError("error: no customer \"\(customer)\" in \(options.conf)/customers/")
            throw ExitCode.failure
        }
        guard plan.hasExtension(ext, customer: customer) else {
            printToStandardError("error: \(ext) is not an extension of \(customer)")
            throw ExitCode.failure
        }
        guard let password = PasswordInput.read(prompt: "Password for \(ext)@\(realm): "), !password.isEmpty else {
            printToStandardError("error: no password given")
            throw ExitCode.failure
        }
        let sha256 = DigestAlgorithm.sha256.ha1(username: ext, realm: realm, password: password)
        let md5 = DigestAlgorithm.md5.ha1(username: ext, realm: realm, password: password)
        printToStandardError("# paste under [credentials] in \(options.conf)/customers/\(customer).toml (realm \(realm)):")
        print("\"\(ext)\" = { sha256 = \"\(sha256)\", md5 = \"\(md5)\" }")
    }
}

/// A password from the terminal without echo, or the first line of standard input when it is a pipe.
enum PasswordInput {
    static func read(prompt: String) -> String? {
        guard isatty(0) == 1 else { return readLine(strippingNewline: true) }
        var saved = termios()
        tcgetattr(0, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &silent)
        defer {
            tcsetattr(0, TCSANOW, &saved)
            printToStandardError("")
        }
        let promptBytes = Array(prompt.utf8)
        _ = write(2, promptBytes, promptBytes.count)
        return readLine(strippingNewline: true)
    }
}
