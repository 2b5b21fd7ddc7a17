import ArgumentParser
import Routing
import Addressing

/// `switchd route`: what happens when this caller dials this? Same decision as the SIP front.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "Show how a dialled number is routed for a caller.")

    @OptionGroup var options: ConfOptions

    @Option(help: ArgumentHelp("The caller's From URI, e.g. sip:201@acme.example.", valueName: "URI"))
    var from: String

    @Option(help: ArgumentHelp("The source address of the request.", valueName: "IP"))
    var source: String?

    @Option(name: .customLong("ruri-host"), help: ArgumentHelp("The Request-URI host.", valueName: "HOST"))
    var ruriHost: String?

    @Flag(help: "Print one JSON object on a single line.")
    var json = false

    @Flag(help: "Route as if the request carried valid digest credentials of the From user (a phone outside the customer's networks).")
    var authenticated = false

    @Argument(help: "The dialled digits (the Request-URI user part).")
    var digits: String

    func validate() throws {
        if URIHost.extract(from) == nil {
            throw ValidationError("--from must be a SIP URI with a host, e.g. sip:201@acme.example")
        }
        if let source, IPAddress(source) == nil {
            throw ValidationError("--source must be an IPv4 or IPv6 address, not \"\(source)\"")
        }
    }

    func run() throws {
        let configuration = try options.load()
        let call = CallRequest(
            fromHost: URIHost.extract(from)!, source: source.flatMap(IPAddress.init), requestURIHost: ruriHost,
            dialled: digits, authenticated: authenticated)
        let decision = configuration.plan.route(call)
        print(json ? DecisionFormat.json(decision) : DecisionFormat.text(decision))
    }
}
