import Routing

extension DecisionOutcome {
    /// The metric's outcome of a call's verdict.
    init(_ verdict: CallVerdict) {
        switch verdict {
        case .challenge: self = .challenged
        case .identityMismatch: self = .identityMismatch
        case .registered: self = .redirect
        case .routed(let decision):
            switch decision.outcome {
            case .redirect: self = decision.isEmergency ? .emergency : .redirect
            case .registeredOnly: self = .unavailable
            case .forbidden(.foreignDomain): self = .foreignDomain
            case .forbidden(.trunkOfAnotherCustomer): self = .foreignTrunk
            case .forbidden(.callClassBarred): self = .barred
            case .notFound: self = .notFound
            case .addressIncomplete: self = .incomplete
            }
        }
    }
}
