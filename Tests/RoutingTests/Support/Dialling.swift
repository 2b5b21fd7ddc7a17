import Testing

@testable import Routing

extension DialPlan {
    /// Routes `dialled` as the customer whose domain is `fromHost`, admitted: deciding trust is the SIP
    /// front's trust gate (tested in ServerTests), and the dial plan routes whichever caller it is given.
    func dial(_ dialled: String, fromHost: String, requestURIHost: String? = nil) -> Decision {
        guard let caller = caller(fromHost: fromHost) else {
            Issue.record("\(fromHost) is no customer's domain in this plan")
            return Decision(outcome: .notFound, callerID: "-", explanation: .notDialable(dialled: dialled))
        }
        return dial(dialled, as: caller, requestURIHost: requestURIHost)
    }
}

extension Decision {
    /// The status the SIP front answers with (README "Routing rules"), the way these tables write
    /// their expectations.
    var status: Int {
        switch outcome {
        case .redirect: return 302
        case .registeredOnly: return 480
        case .forbidden: return 403
        case .notFound: return 404
        case .addressIncomplete: return 484
        }
    }
}
