import Registrar
import Routing

/// One INVITE, or OPTIONS to a number, as the wire and `switchd route` both ask it.
public struct CallQuestion: Sendable {
    public var claim: CallerClaim
    /// The Request-URI user part as written (%-escapes not decoded, user parameters not removed); for
    /// a `tel:` Request-URI, its number (parameters removed).
    public var requestURIUser: String?
    public var requestURIHost: String?
    /// A `tel:` Request-URI (RFC 3966): its visual separators are not dialled.
    public var isTelURI: Bool

    public init(claim: CallerClaim, requestURIUser: String?, requestURIHost: String?, isTelURI: Bool = false) {
        self.claim = claim
        self.requestURIUser = requestURIUser
        self.requestURIHost = requestURIHost
        self.isTelURI = isTelURI
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
        let dialled = Self.dialledNumber(question.requestURIUser, isTelURI: question.isTelURI)
        switch gate.identify(question.claim, plan: plan, now: Int(now), failed: failed) {
        case .challenge(let realm, let stale, let reason):
            return (.challenge(realm: realm, stale: stale, reason: reason), dialled)
        case .identityMismatch(let caller, let user):
            return (.identityMismatch(caller, user: user), dialled)
        case .trusted(let caller, _):
            // The calling extension read like a dialled number (escapes decoded, parameters cut), so
            // that `sip:201;cpc=ordinary@...` keeps 201's [outbound] classes.
            let decision = plan.dial(
                dialled, as: caller, fromUser: question.claim.fromUser.map { Self.dialledNumber($0) },
                requestURIHost: question.requestURIHost)
            if let reached = decision.reachedExtension, let location {
                let bindings = location.lookup(
                    AddressOfRecord(customerID: reached.customerID, extensionNumber: reached.number), now: now)
                if !bindings.isEmpty { return (.registered(decision, bindings: bindings), dialled) }
            }
            return (.routed(decision), dialled)
        }
    }

    /// The Request-URI user part as digits: %-escapes decoded (a phone may escape `#` as %23, `+` as
    /// %2B), and anything after a `;` (user parameters such as `;phone-context=`) left out. RFC 3966's
    /// visual separators (`-`, `.`, `(`, `)`) are removed from a `tel:` number and from a `+` number.
    public static func dialledNumber(_ user: String?, isTelURI: Bool = false) -> String {
        guard let user else { return "" }
        // Most user parts are plain digits: nothing to decode, cut or remove, and no copy to make.
        if !isTelURI, !user.utf8.contains(where: { $0 == 0x25 || $0 == 0x3B || $0 == 0x2B }) { return user }
        let decoded = percentDecoded(Array(user.utf8.prefix { $0 != 0x3B }))
        guard isTelURI || decoded.first == 0x2B else { return String(decoding: decoded, as: UTF8.self) }
        let isSeparator = { (byte: UInt8) in byte == 0x2D || byte == 0x2E || byte == 0x28 || byte == 0x29 }
        return String(decoding: decoded.filter { !isSeparator($0) }, as: UTF8.self)
    }

    private static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x25) else { return bytes }
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
        return decoded
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
