import ArgumentParser
import Foundation
import Registrar
import Server

/// `switchd registrations`: which phones are registered now, from the daemon's store.
struct RegistrationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registrations", abstract: "List the live registrations (bindings) of the registrar store.")

    @OptionGroup var options: ConfOptions

    @Option(help: ArgumentHelp("Only this customer's extensions.", valueName: "ID"))
    var customer: String?

    @Flag(help: "Print one JSON object per binding, one per line.")
    var json = false

    func run() throws {
        let configuration = try options.load()
        let now = RequestHandler.wallClock()
        let bindings = try options.registeredPhones(configuration, now: now, sayWhenNone: true).all(now: now)
            .filter { customer == nil || $0.aor.customerID == customer }
        for binding in bindings {
            let expires = max(1, Int((binding.expiresAt - now).rounded()))
            if json {
                let fields = [
                    ("aor", "\(binding.aor.extensionNumber)@\(binding.aor.customerID)"), ("contact", binding.contact),
                    ("target", binding.target), ("source", binding.source), ("transport", binding.transport),
                    ("user_agent", binding.userAgent ?? ""),
                ]
                let text = fields.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }
                print("{" + (text + ["\"expires\":\(expires)"]).joined(separator: ",") + "}")
            } else {
                print(
                    "\(binding.aor.extensionNumber)@\(binding.aor.customerID)\t\(binding.contact)\tfrom \(binding.source) \(binding.transport)"
                        + "\texpires \(expires) s\t\(binding.userAgent ?? "-")")
            }
        }
        if !json { print("\(bindings.count) \(bindings.count == 1 ? "binding" : "bindings")") }
    }
}
