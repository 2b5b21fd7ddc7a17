import Config

/// What the dial plan decided for one call from an admitted caller, with a short human reason. Status
/// codes and reason phrases are the SIP front's (one catalog maps outcomes to them).
public struct Decision: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case redirect(contact: String)
        /// An extension for registered phones only (`reachedExtension`): its phones take the call, and
        /// with none registered it is temporarily unavailable.
        case registeredOnly
        case forbidden(ForbiddenCause)
        case notFound
        case addressIncomplete
    }

    public enum ForbiddenCause: Sendable, Equatable {
        /// The Request-URI host is another customer's domain.
        case foreignDomain
        /// Another customer's access code followed by one of that customer's trunk codes.
        case trunkOfAnotherCustomer
        /// A trunk call whose number's class the caller may not call (numbering.toml `[classes]`).
        case callClassBarred
    }

    public let outcome: Outcome
    /// The id of the calling customer.
    public let callerID: String
    let explanation: Explanation
    /// The extension the call reached (own or a group member's), whose registered phones, when it has
    /// any, take the call before its contact in the conf. Nil for trunks and refusals; never nil for
    /// `.registeredOnly`.
    public var reachedExtension: ExtensionReference?
    /// The entry whose template made the contact and where its placeholder's value starts in the dial
    /// string: what `switchd diff` compares, as the same template can stand for each number of a block.
    let source: ContactSource

    init(
        outcome: Outcome, callerID: String, explanation: Explanation, reachedExtension: ExtensionReference? = nil,
        source: ContactSource = .none
    ) {
        self.outcome = outcome
        self.callerID = callerID
        self.explanation = explanation
        self.reachedExtension = reachedExtension
        self.source = source
    }

    public var contact: String? {
        if case .redirect(let contact) = outcome { return contact }
        return nil
    }

    /// Built on demand: the hot path only stores the pieces.
    public var reason: String { explanation.text }

    /// A call to an emergency number (a 302 to the emergency gateway).
    public var isEmergency: Bool {
        if case .emergency = explanation { return true }
        return false
    }
}

/// Where a decision's contact came from: an entry of the plan (`DialPlan.entries`), the emergency
/// gateway, or nothing; `numberStart` is where the placeholder's value begins in the dial string.
struct ContactSource: Sendable, Equatable {
    static let emergencyGateway: Int32 = -2
    static let none = ContactSource(entry: DialTrie.none, numberStart: 0)

    let entry: Int32
    let numberStart: Int32
}

/// The classes behind a trunk call's verdict: the plan's numbering (to say which class the number is
/// in, and why) and what the trunk or the calling extension allows. References, compared by identity.
struct ClassNote: Sendable, Equatable {
    let numbering: CompiledNumbering
    let allowance: ClassAllowance

    static func == (lhs: ClassNote, rhs: ClassNote) -> Bool {
        lhs.numbering === rhs.numbering && lhs.allowance === rhs.allowance
    }

    /// "00 is international; trunk 9 of Acme Corp allows local, national, mobile".
    func text(_ number: Substring) -> String {
        "\(numbering.describe(number)); \(allowance.text)"
    }
}

/// One extension of one customer: what a phone registers as, and what a call can reach.
public struct ExtensionReference: Sendable, Equatable {
    public let customerID: String
    public let number: String
}

/// The facts behind a decision; turned into text only when someone reads the reason.
enum Explanation: Sendable, Equatable {
    case ownExtension(customer: String, dialled: String, range: String?)
    /// `classes` is nil without numbering.toml: then nothing is said of classes.
    case trunk(customer: String, code: String, number: Substring, classes: ClassNote?)
    /// A `+` number over the customer's E.164 trunk.
    case e164(customer: String, code: String, number: Substring, classes: ClassNote)
    case barred(number: Substring, classes: ClassNote)
    /// `trunk`: the trunk code dialled before the emergency number, if any.
    case emergency(number: Substring, trunk: String?)
    case noE164Trunk(dialled: String, customer: String)
    case groupExtension(accessCode: String, member: String, number: Substring, range: String?)
    case foreignTrunk(accessCode: String, member: String, trunk: String)
    case incomplete(dialled: String, customer: String)
    case noMatch(dialled: String, customer: String)
    case notDialable(dialled: String)
    case foreignDomain(host: String, owner: String, customer: String)

    var text: String {
        switch self {
        case .ownExtension(let customer, let dialled, let range):
            return range.map { "\(dialled) is in \(customer)'s extension range \($0)" }
                ?? "\(dialled) is an extension of \(customer)"
        case .trunk(let customer, let code, let number, let classes):
            let base = "\(code) is \(customer)'s trunk; \(number) goes out through its gateway"
            return classes.map { "\(base) (\($0.text(number)))" } ?? base
        case .e164(let customer, let code, let number, let classes):
            return "\(number) goes out through \(customer)'s E.164 trunk \(code) (\(classes.text(number)))"
        case .barred(let number, let classes):
            return classes.text(number)
        case .emergency(let number, let trunk):
            let what = trunk.map { "\(number) after trunk \($0) is an emergency number" } ?? "\(number) is an emergency number"
            return "\(what); it goes to the emergency gateway"
        case .noE164Trunk(let dialled, let customer):
            return "\(dialled) is an E.164 number, and \(customer) has no trunk with e164 = true"
        case .groupExtension(let accessCode, let member, let number, let range):
            let suffix = range.map { " (range \($0))" } ?? ""
            return "access code \(accessCode) is \(member); \(number) is \(member)'s extension\(suffix)"
        case .foreignTrunk(let accessCode, let member, let trunk):
            return "access code \(accessCode) is \(member); \(trunk) is \(member)'s trunk"
        case .incomplete(let dialled, let customer):
            return "\(dialled.isEmpty ? "nothing" : dialled) is the start of a longer number \(customer) can dial"
        case .noMatch(let dialled, let customer):
            return "\(dialled) is no extension, trunk or group access code \(customer) can dial"
        case .notDialable(let dialled):
            return "\"\(dialled)\" is not a dial string (only 0-9, * and #, or + and digits, can be dialled)"
        case .foreignDomain(let host, let owner, let customer):
            return "\(host) is \(owner)'s domain; \(customer) cannot call into it directly"
        }
    }
}
