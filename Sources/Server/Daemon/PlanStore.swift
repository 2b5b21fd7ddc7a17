import Routing
import Synchronization

/// The dial plan currently serving. A reload builds a whole new plan on the side and swaps this one
/// reference; requests in flight keep the plan they started with.
public final class PlanStore: Sendable {
    private let current: Mutex<DialPlan>

    public init(_ plan: DialPlan) {
        current = Mutex(plan)
    }

    /// The lock is held only to copy one reference.
    public var plan: DialPlan {
        current.withLock { $0 }
    }

    public func replace(with plan: DialPlan) {
        current.withLock { $0 = plan }
    }
}
