import Routing
import SIP

/// The one place that maps routing decisions and protocol errors to status codes and reason phrases.
/// Handlers name an outcome; they never write a status number inline.
enum ResponseCatalog {
    /// Methods this server answers; sent in `Allow`.
    static let allowedMethods = "INVITE, ACK, CANCEL, OPTIONS"
    /// Methods of RFC 3261 and its common extensions that this server knows but does not implement: 405.
    static let knownMethods: Set<String> = [
        "REGISTER", "BYE", "PRACK", "UPDATE", "INFO", "REFER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "PUBLISH",
    ]

    enum ProtocolError {
        case tooManyHops
        case unsupportedScheme
        case badExtension(unsupported: [String])
        case methodNotAllowed
        case notImplemented
        case missingMaxForwards
    }

    /// `challenges` makes the `WWW-Authenticate` values for a 401 (fresh nonce each time).
    static func response(for decision: Decision, challenges: (_ realm: String) -> [String]) -> SIPResponse {
        switch decision.outcome {
        case .redirect(let contact):
            return SIPResponse(status: 302, reasonPhrase: "Moved Temporarily", headers: [("Contact", "<\(contact)>")])
        case .unauthenticated(let realm):
            return challenge(challenges(realm))
        case .forbidden(let cause):
            return SIPResponse(status: 403, reasonPhrase: phrase(for: cause))
        case .notFound:
            return SIPResponse(status: 404, reasonPhrase: "Not Found")
        case .addressIncomplete:
            return SIPResponse(status: 484, reasonPhrase: "Address Incomplete")
        }
    }

    static func phrase(for cause: Decision.ForbiddenCause) -> String {
        switch cause {
        case .foreignDomain: return "Domain Of Another Customer"
        case .trunkOfAnotherCustomer: return "Trunk Of Another Customer"
        }
    }

    /// 401 with one `WWW-Authenticate` per algorithm. Identical for every untrusted request but for the
    /// nonce, so it reveals nothing about callers, extensions or numbers.
    static func challenge(_ values: [String]) -> SIPResponse {
        SIPResponse(status: 401, reasonPhrase: "Unauthorized", headers: values.map { ("WWW-Authenticate", $0) })
    }

    /// Valid credentials, but of another user than the From user.
    static let identityMismatch = SIPResponse(status: 403, reasonPhrase: "Credentials Of Another User")

    static func response(for error: ProtocolError) -> SIPResponse {
        switch error {
        case .tooManyHops:
            return SIPResponse(status: 483, reasonPhrase: "Too Many Hops")
        case .unsupportedScheme:
            return SIPResponse(status: 416, reasonPhrase: "Unsupported URI Scheme")
        case .badExtension(let unsupported):
            return SIPResponse(status: 420, reasonPhrase: "Bad Extension", headers: [("Unsupported", unsupported.joined(separator: ", "))])
        case .methodNotAllowed:
            return SIPResponse(status: 405, reasonPhrase: "Method Not Allowed", headers: [("Allow", allowedMethods)])
        case .notImplemented:
            return SIPResponse(status: 501, reasonPhrase: "Not Implemented", headers: [("Allow", allowedMethods)])
        case .missingMaxForwards:
            return SIPResponse(status: 400, reasonPhrase: "Missing Max-Forwards")
        }
    }

    /// The answer to an OPTIONS keep-alive (no user part): the server is up and this is what it does.
    static let keepAlive = SIPResponse(status: 200, reasonPhrase: "OK", headers: [
        ("Allow", allowedMethods),
        ("Accept", "application/sdp"),
        ("Supported", ""),
    ])

    static func invalid(_ request: SIPInvalidRequest) -> SIPResponse {
        SIPResponse(status: request.status, reasonPhrase: request.reasonPhrase)
    }
}
