import Auth
import Routing
import Synchronization

/// The dial plan currently serving, and what a 401 offers. A reload builds a whole new plan on the side
/// and swaps this one reference; requests in flight keep the plan they started with.
public final class PlanStore: Sendable {
    private let current: Mutex<DialPlan>
    /// Read only when a challenge is built, never on a routed call's path.
    private let algorithms: Mutex<[DigestAlgorithm]>

    public init(_ plan: DialPlan, challengeAlgorithms: [DigestAlgorithm] = DigestAlgorithm.allCases) {
        current = Mutex(plan)
        algorithms = Mutex(challengeAlgorithms)
    }

    public var challengeAlgorithms: [DigestAlgorithm] {
        get { algorithms.withLock { $0 } }
        set { algorithms.withLock { $0 = newValue } }
    }

    /// The lock is held only to copy one reference.
    public var plan: DialPlan {
        current.withLock { $0 }
    }

    public func replace(with plan: DialPlan) {
        current.withLock { $0 = plan }
    }
}
