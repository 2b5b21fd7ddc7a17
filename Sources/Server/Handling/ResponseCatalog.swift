import Registrar
import Routing
import SIP

/// A status code and its reason phrase.
public struct StatusLine: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let phrase: String

    public var description: String { "\(code) \(phrase)" }
}

/// The one place that maps call verdicts, protocol errors and malformed requests to status codes and
/// reason phrases, for the wire, the log and `switchd route` alike. Nothing else writes a status number.
public enum ResponseCatalog {
    /// Methods this server answers; sent in `Allow`.
    static let allowedMethods = "INVITE, ACK, CANCEL, OPTIONS, REGISTER"
    /// Methods of RFC 3261 and its common extensions that this server knows but does not implement: 405.
    static let knownMethods: Set<String> = [
        "BYE", "PRACK", "UPDATE", "INFO", "REFER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "PUBLISH",
    ]

    enum ProtocolError {
        case tooManyHops
        case unsupportedScheme
        case badExtension(unsupported: [String])
        case methodNotAllowed
        case notImplemented
        case missingMaxForwards
    }

    /// Every status code this catalog can answer with: the metrics show each of them from the start
    /// (ResponseCatalogTests checks the list against every verdict and error).
    public static let statusCodes = [200, 302, 400, 401, 403, 404, 405, 416, 420, 423, 480, 483, 484, 500, 501, 503, 505, 513]

    public static func statusLine(for verdict: CallVerdict) -> StatusLine {
        switch verdict {
        case .challenge: return StatusLine(code: 401, phrase: "Unauthorized")
        case .identityMismatch: return StatusLine(code: 403, phrase: "Credentials Of Another User")
        case .registered: return StatusLine(code: 302, phrase: "Moved Temporarily")
        case .routed(let decision): return statusLine(for: decision.outcome)
        }
    }

    /// A dial plan decision's status line (for a call routed as the plan decided; `switchd diff`).
    public static func statusLine(for outcome: Decision.Outcome) -> StatusLine {
        switch outcome {
        case .redirect: return StatusLine(code: 302, phrase: "Moved Temporarily")
        // Only when none of the extension's phones is registered (else the verdict is `.registered`).
        case .registeredOnly: return StatusLine(code: 480, phrase: "Temporarily Unavailable")
        case .forbidden(.foreignDomain): return StatusLine(code: 403, phrase: "Domain Of Another Customer")
        case .forbidden(.trunkOfAnotherCustomer): return StatusLine(code: 403, phrase: "Trunk Of Another Customer")
        case .forbidden(.callClassBarred): return StatusLine(code: 403, phrase: "Call Class Barred")
        case .notFound: return StatusLine(code: 404, phrase: "Not Found")
        case .addressIncomplete: return StatusLine(code: 484, phrase: "Address Incomplete")
        }
    }

    public static func statusLine(for verdict: RegistrationVerdict) -> StatusLine {
        switch verdict {
        case .challenge: return StatusLine(code: 401, phrase: "Unauthorized")
        case .identityMismatch: return StatusLine(code: 403, phrase: "Credentials Of Another User")
        case .refused(.foreignAddressOfRecord): return StatusLine(code: 403, phrase: "Address Of Record Of Another Customer")
        case .refused(.notAnExtension): return StatusLine(code: 404, phrase: "Not Found")
        case .refused(.requestURINotServed): return StatusLine(code: 403, phrase: "Request-URI Not Served")
        case .refused(.contactNotAllowed): return StatusLine(code: 403, phrase: "Contact Not Allowed")
        case .registrar(.ok): return StatusLine(code: 200, phrase: "OK")
        case .registrar(.intervalTooBrief): return StatusLine(code: 423, phrase: "Interval Too Brief")
        case .registrar(.invalidWildcard): return StatusLine(code: 400, phrase: "Invalid Wildcard Contact")
        case .registrar(.outOfOrder): return StatusLine(code: 500, phrase: "Out Of Order Registration")
        case .registrar(.invalidContact): return StatusLine(code: 400, phrase: "Invalid Contact")
        case .registrar(.tooManyContacts): return StatusLine(code: 403, phrase: "Too Many Contacts")
        case .registrar(.storeBacklogFull): return StatusLine(code: 503, phrase: "Service Unavailable")
        }
    }

    static func statusLine(for error: ProtocolError) -> StatusLine {
        switch error {
        case .tooManyHops: return StatusLine(code: 483, phrase: "Too Many Hops")
        case .unsupportedScheme: return StatusLine(code: 416, phrase: "Unsupported URI Scheme")
        case .badExtension: return StatusLine(code: 420, phrase: "Bad Extension")
        case .methodNotAllowed: return StatusLine(code: 405, phrase: "Method Not Allowed")
        case .notImplemented: return StatusLine(code: 501, phrase: "Not Implemented")
        case .missingMaxForwards: return StatusLine(code: 400, phrase: "Missing Max-Forwards")
        }
    }

    /// A malformed request's 400 names its problem in the reason phrase.
    public static func statusLine(for problem: SIPRequestProblem) -> StatusLine {
        switch problem {
        case .malformed(let phrase): return StatusLine(code: 400, phrase: phrase)
        case .versionNotSupported: return StatusLine(code: 505, phrase: "Version Not Supported")
        }
    }

    /// `challenges` makes the `WWW-Authenticate` values of a 401 (a fresh nonce each time), one per
    /// algorithm: identical for every untrusted request but for the nonce, so it reveals nothing about
    /// callers, extensions or numbers.
    static func response(for verdict: CallVerdict, challenges: (_ realm: String, _ stale: Bool) -> [String]) -> SIPResponse {
        var headers: [(name: String, value: String)] = []
        switch verdict {
        case .challenge(let realm, let stale, _):
            headers = challenges(realm, stale).map { ("WWW-Authenticate", $0) }
        case .routed(let decision):
            if case .redirect(let contact) = decision.outcome { headers = [("Contact", "<\(contact)>")] }
        case .registered(let decision, let bindings):
            headers = registeredContacts(bindings, conf: decision.contact).map { ("Contact", $0) }
        case .identityMismatch:
            break
        }
        return SIPResponse(statusLine(for: verdict), headers: headers)
    }

    /// How long a phone refused for a full store backlog waits before it registers again (RFC 3261
    /// §21.5.4): long enough for a store that is back to write the backlog, short enough that a phone
    /// whose binding lapsed is soon reachable again.
    static let storeRetryAfterSeconds = 30

    /// A 200 lists every current binding with the seconds it has left (RFC 3261 §10.3 step 8); a 423
    /// says the shortest interval accepted; a 503 when the store's backlog is full, when to try again.
    static func response(for verdict: RegistrationVerdict, challenges: (_ realm: String, _ stale: Bool) -> [String])
        -> SIPResponse
    {
        var headers: [(name: String, value: String)] = []
        switch verdict {
        case .challenge(let realm, let stale, _):
            headers = challenges(realm, stale).map { ("WWW-Authenticate", $0) }
        case .registrar(.ok(let bindings, _)):
            headers = bindings.map { ("Contact", "<\($0.binding.contact)>;expires=\($0.expiresIn)") }
        case .registrar(.intervalTooBrief(let minimum)):
            headers = [("Min-Expires", "\(minimum)")]
        case .registrar(.storeBacklogFull):
            headers = [("Retry-After", "\(storeRetryAfterSeconds)")]
        case .identityMismatch, .refused, .registrar:
            break
        }
        return SIPResponse(statusLine(for: verdict), headers: headers)
    }

    /// The Contacts of a redirect to registered phones: every live binding (highest q, then newest,
    /// first), then the extension's contact from the conf with the lowest q; `;q=` on each when there
    /// is more than one.
    public static func registeredContacts(_ bindings: [Binding], conf: String?) -> [String] {
        let count = bindings.count + (conf == nil ? 0 : 1)
        guard count > 1 else { return bindings.map { "<\($0.target)>" } }
        var contacts = bindings.map { "<\($0.target)>;q=\(qValue($0.q ?? 1))" }
        if let conf { contacts.append("<\(conf)>;q=0") }
        return contacts
    }

    /// A qvalue as RFC 3261 §20.10 writes it: 0 to 1 with at most three decimals, no trailing zeros.
    static func qValue(_ q: Double) -> String {
        let thousandths = Int((min(max(q, 0), 1) * 1_000).rounded())
        if thousandths == 1_000 { return "1" }
        if thousandths == 0 { return "0" }
        var decimals = String(thousandths)
        decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "0.\(decimals)"
    }

    static func response(for error: ProtocolError) -> SIPResponse {
        let line = statusLine(for: error)
        switch error {
        case .badExtension(let unsupported):
            return SIPResponse(line, headers: [("Unsupported", unsupported.joined(separator: ", "))])
        case .methodNotAllowed, .notImplemented:
            return SIPResponse(line, headers: [("Allow", allowedMethods)])
        case .tooManyHops, .unsupportedScheme, .missingMaxForwards:
            return SIPResponse(line)
        }
    }

    /// The answer to an OPTIONS keep-alive (no user part): the server is up and this is what it does.
    static let keepAlive = SIPResponse(
        StatusLine(code: 200, phrase: "OK"),
        headers: [
            ("Allow", allowedMethods),
            ("Accept", "application/sdp"),
            ("Supported", ""),
        ])

    /// A message a stream cannot frame: answered from its headers, then the connection is closed.
    static func statusLine(for error: StreamFramingError) -> StatusLine {
        switch error {
        case .missingContentLength: return StatusLine(code: 400, phrase: "Missing Content-Length")
        case .invalidContentLength: return StatusLine(code: 400, phrase: "Invalid Content-Length")
        case .tooLarge: return StatusLine(code: 513, phrase: "Message Too Large")
        }
    }

    static func response(for problem: SIPRequestProblem) -> SIPResponse {
        SIPResponse(statusLine(for: problem))
    }
}

extension SIPResponse {
    init(_ line: StatusLine, headers: [(name: String, value: String)] = []) {
        self.init(status: line.code, reasonPhrase: line.phrase, headers: headers)
    }
}
