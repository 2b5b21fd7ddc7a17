import Addressing
import Config
import Registrar
import Routing
import SIP

/// Who may register what (the README's "Registrar"), then RFC 3261 §10.3 in the location service.
/// Trust is the call's: the trust gate identifies the customer from the From host, and a digest must
/// be the To user's own.
struct RegistrationHandler: Sendable {
    let gate: TrustGate
    let location: LocationService
    /// The addresses switchd's sockets are bound to (the ports the system gave, not the configured 0);
    /// a wildcard address stands for this machine's loopback (see `isOwnAddress`).
    let bound: [SocketAddress]

    func decide(
        _ request: SIPRequest, registration: SIPRegistration, source: SocketAddress, transport: SIPTransport = .udp,
        plan: DialPlan, now: Double, failed: () -> Void
    ) -> RegistrationVerdict {
        let to = request.to.uri
        let toUser = to.flatMap { $0.user.map { CallRouter.dialledNumber($0) } } ?? ""
        let claim = CallerClaim(
            fromHost: request.from.uri?.host ?? "", fromUser: toUser, source: source.ipAddress,
            credentials: .presented(
                authorization: request.authorization, method: request.method, requestURI: request.requestURIText))
        let caller: Caller
        switch gate.identify(claim, plan: plan, now: Int(now), failed: failed) {
        case .trusted(let trusted, _): caller = trusted
        case .challenge(let realm, let stale, let reason): return .challenge(realm: realm, stale: stale, reason: reason)
        case .identityMismatch(let other, let user): return .identityMismatch(other, user: user)
        }
        let toHost = to?.host ?? ""
        guard plan.isDomain(toHost, of: caller) else { return .refused(.foreignAddressOfRecord(host: toHost)) }
        guard plan.isExtension(toUser, of: caller) else { return .refused(.notAnExtension(caller: caller.name, user: toUser)) }
        let ruriHost = request.requestURI.host
        let ruriIsOurs = IPAddress(ruriHost).map { isOwnAddress($0, port: nil) } ?? false
        guard plan.isDomain(ruriHost, of: caller) || ruriIsOurs else {
            return .refused(.requestURINotServed(host: ruriHost))
        }

        var contacts: [RegisterRequest.Contact] = []
        switch registration.contacts {
        case .wildcard:
            contacts = [.wildcard]
        case .list(let list):
            for contact in list {
                // A removal is always allowed: a binding whose host became a trunk must still be removable.
                let removes = (contact.expires ?? registration.expires) == 0
                if !removes, let refusal = refusal(of: contact, source: source, plan: plan) { return .refused(refusal) }
                contacts.append(.uri(contact.uri, expires: contact.expires.map(Int.init), q: contact.q))
            }
        }
        let registerRequest = RegisterRequest(
            aor: AddressOfRecord(customerID: caller.customerID, extensionNumber: toUser), callID: request.callID,
            cseq: request.cseq.number, contacts: contacts, expires: registration.expires.map(Int.init),
            sourceIP: source.ipAddress.description, sourcePort: source.port, transport: transport.viaName,
            userAgent: registration.userAgent)
        return .registrar(location.register(registerRequest, now: now))
    }

    /// A registration must not turn an extension into a trunk (a Contact on any customer's gateway
    /// would let calls to the extension seize that trunk, another customer's included), nor loop calls
    /// back into switchd (its own address, a customer domain, localhost). What is checked is where calls
    /// would go: the Contact as written and, when the NAT rewrite replaces its host and port by the
    /// REGISTER's source, that source too (a spoofed UDP source must not smuggle a gateway in).
    private func refusal(of contact: SIPContact, source: SocketAddress, plan: DialPlan) -> RegistrationRefusal? {
        // Split as the location service splits it, so the host checked here is the host it stores.
        let uri: SIPURIParts
        switch SIPURIParts.split(contact.uri) {
        case .success(let parts): uri = parts
        case .failure(.unsupportedScheme): return .contactNotAllowed(contact: contact.uri, why: "is not a sip: or sips: URI")
        case .failure(.missingHost), .failure(.badPort): return .contactNotAllowed(contact: contact.uri, why: Self.noHost)
        }
        guard let host = HostName.normalized(String(uri.host)) else {
            return .contactNotAllowed(contact: contact.uri, why: Self.noHost)
        }
        // A port that is no number is the location service's to refuse (400); here it counts as absent.
        let written = (try? uri.hostPort().get())?.port
        let port = written.map(Int.init) ?? (uri.scheme == "sips" ? 5061 : 5060)
        if let why = forbidden(host: host, port: port, plan: plan) {
            return .contactNotAllowed(contact: contact.uri, why: why)
        }
        let sourceIP = source.ipAddress
        if let target = location.settings.natTarget(
            ofContact: contact.uri, sourceIP: sourceIP.description, sourcePort: source.port),
            let why = forbidden(host: target.address.description, port: Int(target.port), plan: plan)
        {
            return .contactNotAllowed(contact: contact.uri, why: "is rewritten for NAT to the source \(target), which \(why)")
        }
        return nil
    }

    private static let noHost = "has no valid host (a host name, an IPv4 address or an [IPv6] address)"

    /// Why calls must not go to `host` (normalised by `HostName.normalized`) at `port`, or nil.
    private func forbidden(host: String, port: Int, plan: DialPlan) -> String? {
        if plan.isTrunkHost(host) { return "is a trunk gateway" }
        // RFC 6761 §6.3: every name under localhost is the loopback, whatever DNS would say.
        if host == "localhost" || host.hasSuffix(".localhost") || plan.customerID(forDomain: host) != nil {
            return "names this server (a customer domain or localhost)"
        }
        if let address = IPAddress(host), isOwnAddress(address, port: port) { return "is this server's own address" }
        return nil
    }

    /// True when `address` (and `port`, when given) is one switchd's sockets are bound to. A wildcard
    /// address stands for this machine: its loopback and unspecified addresses are ours (the addresses
    /// of its interfaces are not enumerated, so a phone on the LAN is never mistaken for switchd).
    private func isOwnAddress(_ address: IPAddress, port: Int?) -> Bool {
        let local =
            address == IPAddress("::1") || address == IPAddress("0.0.0.0") || address == IPAddress("::")
            || (address.isIPv4 && address.description.hasPrefix("127."))
        return bound.contains { socket in
            guard port == nil || port == Int(socket.port) else { return false }
            let own = socket.ipAddress
            let wildcard = own == IPAddress("0.0.0.0") || own == IPAddress("::")
            return own == address || (wildcard && local)
        }
    }
}
