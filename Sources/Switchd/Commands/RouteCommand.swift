import Addressing
import ArgumentParser
import Auth
import Logging
import Registrar
import Routing
import SIP
import Server

/// `switchd route`: what happens when this caller dials this? The daemon's own trust gate, dial plan
/// and status catalog decide, so the answer is the one the wire would give.
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

    @Flag(
        help:
            "Route as if the request carried valid digest credentials of the From user (a phone outside the customer's networks)."
    )
    var authenticated = false

    @Argument(
        help:
            "The dialled digits (the Request-URI user part, %-escapes allowed as on the wire), or a tel: URI (tel:+442079460000)."
    )
    var digits: String

    /// `sip:201@acme.example`, `<sip:201@acme.example>`, or a bare `201@acme.example` / `acme.example`.
    var fromURI: SIPURI? {
        var text = Substring(from)
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        let lowered = text.lowercased()
        let withScheme = lowered.hasPrefix("sip:") || lowered.hasPrefix("sips:") ? String(text) : "sip:\(text)"
        guard let uri = SIPURI(parsing: withScheme), !uri.host.isEmpty, !uri.host.contains(" ") else { return nil }
        return uri
    }

    func validate() throws {
        if fromURI == nil {
            throw ValidationError("--from must be a SIP URI with a host, e.g. sip:201@acme.example")
        }
        if let source, IPAddress(source) == nil {
            throw ValidationError("--source must be an IPv4 or IPv6 address, not \"\(source)\"")
        }
    }

    func run() throws {
        let configuration = try options.load()
        guard let uri = fromURI else { throw ExitCode.failure }
        let claim = CallerClaim(
            fromHost: uri.host, fromUser: uri.user, source: source.flatMap(IPAddress.init),
            credentials: authenticated ? .assumedValid : .presented(authorization: [], method: "INVITE", requestURI: ""))
        // A gate of its own: no request carries credentials here, so its nonce secret never matters.
        let gate = TrustGate(verifier: DigestVerifier(nonces: NonceService(secret: NonceService.randomSecret(), lifetime: 300)))
        // A tel: Request-URI as the wire would carry it: the number before its parameters.
        let telURI = digits.lowercased().hasPrefix("tel:") ? SIPURI(parsing: digits) : nil
        let question = CallQuestion(
            claim: claim, requestURIUser: telURI?.user ?? digits, requestURIHost: telURI == nil ? ruriHost : nil,
            isTelURI: telURI != nil)
        let now = RequestHandler.wallClock()
        let location = try options.registeredPhones(configuration, now: now, sayWhenNone: false)
        let (verdict, _) = CallRouter(gate: gate, location: location).decide(question, plan: configuration.plan, now: now) {}
        print(json ? DecisionFormat.json(verdict) : DecisionFormat.text(verdict))
    }
}
