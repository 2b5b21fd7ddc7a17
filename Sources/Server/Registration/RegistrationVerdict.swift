import Registrar
import Routing

/// What becomes of one REGISTER: challenged and refused exactly as a call would be, refused for what
/// it tries to register, or handed to the location service.
public enum RegistrationVerdict: Sendable, Equatable {
    case challenge(realm: String, stale: Bool, reason: ChallengeReason)
    case identityMismatch(Caller, user: String)
    case refused(RegistrationRefusal)
    case registrar(RegisterOutcome)

    /// A sentence for the log, as `CallVerdict.reason` is for a call: built on demand, never on the wire.
    public var reason: String {
        switch self {
        case .challenge(_, _, let why): return why.description
        case .identityMismatch(let caller, let user):
            return "valid credentials of \(caller.name)'s \(user), who is not the To user"
        case .refused(let refusal): return refusal.description
        case .registrar(let outcome): return "\(outcome)"
        }
    }
}

/// Why an authorised caller may not register what it asked for.
public enum RegistrationRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The To host is no domain of the caller's customer (another customer's, or nobody's).
    case foreignAddressOfRecord(host: String)
    /// The To user is no extension of the caller's customer.
    case notAnExtension(caller: String, user: String)
    /// The Request-URI names neither the customer's domain nor an address switchd listens on.
    case requestURINotServed(host: String)
    /// A Contact that would turn the extension into a trunk or a loop, or is not a SIP URI.
    case contactNotAllowed(contact: String, why: String)

    public var description: String {
        switch self {
        case .foreignAddressOfRecord(let host): return "\(host) is not a domain of the registering customer"
        case .notAnExtension(let caller, let user):
            return "\(user.isEmpty ? "the empty user" : user) is no extension of \(caller)"
        case .requestURINotServed(let host):
            return "the Request-URI host \(host) is neither the customer's domain nor an address of this server"
        case .contactNotAllowed(let contact, let why): return "Contact \(contact) \(why)"
        }
    }
}
