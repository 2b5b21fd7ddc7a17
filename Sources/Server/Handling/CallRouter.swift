import Registrar
import Routing

/// One INVITE, or OPTIONS to a number, as the wire and `switchd route` both ask it.
public struct CallQuestion: Sendable {
    public var claim: CallerClaim
    /// The Request-URI user part as written (%-escapes not decoded, user parameters not removed).
    public var requestURIUser: String?
    public var requestURIHost: String?

    public init(claim: CallerClaim, requestURIUser: String?, requestURIHost: String?) {
        self.claim = claim
        self.requestURIUser = requestURIUser
        self.requestURIHost = requestURIHost
    }
}

/// What becomes of one call: challenged, refused for another user's credentials, or routed.
public enum CallVerdict: Sendable, Equatable {
    case challenge(realm: String, stale: Bool, reason: ChallengeReason)
    case identityMismatch(Caller, user: String)
    case routed(Decision)
    /// The reached extension has registered phones: they take the call, before its conf contact.
    case registered(Decision, bindings: [Binding])

    /// The id of the calling customer, once identified and admitted.
    public var callerID: String? {
        switch self {
        case .challenge: return nil
        case .identityMismatch(let caller, _): return caller.customerID
        case .routed(let decision), .registered(let decision, _): return decision.callerID
        }
    }

    /// A sentence for the log and `switchd route`: built on demand, it is never needed on the wire.
    public var reason: String {
        switch self {
        case .challenge(_, _, let reason): return reason.description
        case .identityMismatch(let caller, let user):
            return "valid credentials of \(caller.name)'s \(user), who is not the From user"
        case .routed(let decision):
            guard decision.outcome == .registeredOnly else { return decision.reason }
            return "\(decision.reason), for registered phones only; none is registered"
        case .registered(let decision, let bindings):
            let phones = bindings.count == 1 ? "1 registered phone" : "\(bindings.count) registered phones"
            // With a contact in the conf the phones come first; without one they are all there is.
            return "\(decision.reason); \(phones)\(decision.contact == nil ? "" : " first")"
        }
    }
}

/// Trust gate, then dial plan: the one path from a call to its verdict, so that the daemon and the
/// command line cannot decide differently.
public struct CallRouter: Sendable {
    public let gate: TrustGate
    /// Registered phones, consulted for every call that reaches an extension (nil: none registered).
    public let location: LocationService?

    public init(gate: TrustGate, location: LocationService? = nil) {
        self.gate = gate
        self.location = location
    }

    /// `failed` is called once per presented credential that did not verify.
    public func decide(_ question: CallQuestion, plan: DialPlan, now: Double, failed: () -> Void) -> (
        verdict: CallVerdict, dialled: String
    ) {
        let dialled = Self.dialledNumber(question.requestURIUser)
        switch gate.identify(question.claim, plan: plan, now: Int(now), failed: failed) {
        case .challenge(let realm, let stale, let reason):
            return (.challenge(realm: realm, stale: stale, reason: reason), dialled)
        case .identityMismatch(let caller, let user):
            return (.identityMismatch(caller, user: user), dialled)
        case .trusted(let caller, _):
            let decision = plan.dial(dialled, as: caller, requestURIHost: question.requestURIHost)
            if let reached = decision.reachedExtension, let location {
                let bindings = location.lookup(
                    AddressOfRecord(customerID: reached.customerID, extensionNumber: reached.number), now: now)
                if !bindings.isEmpty { return (.registered(decision, bindings: bindings), dialled) }
            }
            return (.routed(decision), dialled)
        }
    }

    /// The Request-URI user part as digits: %-escapes decoded (a phone may escape `#` as %23), and
    /// anything after a `;` (user parameters such as `;phone-context=`) left out.
    public static func dialledNumber(_ user: String?) -> String {
        guard let user else { return "" }
        let bytes = Array(user.utf8.prefix { $0 != 0x3B })
        guard bytes.contains(0x25) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x37
        case 0x61...0x66: return byte - 0x57
        default: return nil
        }
    }
}
