import Config

/// What changes between two dial plans for everything anyone can dial (`switchd diff`): per calling
/// customer, the dial strings whose decision differs, as blocks, and the customers and groups added
/// or removed.
///
/// A dial string is what `DialPlan.dial` accepts as one: 0-9, `*` and `#`, or `+` and digits. Calls are
/// compared as the customer's own phones make them (to its own domain). A string that starts with the
/// caller's own access code is, past what its own entries start with, the call without the code: a
/// change there shows once, without the code, unless the code itself changed.
public struct PlanDiff: Sendable {
    /// One side of a change: what a block's strings got.
    public struct Side: Sendable, Hashable {
        /// The decision; a redirect's contact is its template as written (`sip:{ext}@pbx-a`), standing
        /// for each string of the block. Nil for `transparentAccessCode`.
        public let outcome: Decision.Outcome?
        /// Set when the strings are "as dialled without the caller's own access code" (this code).
        public let transparentAccessCode: String?
        /// The customer whose extension the call reaches (whose registered phones take it), if any.
        public let extensionOf: String?
        /// Where the template's placeholder value (or the reached extension's number) starts in the dial
        /// string: the same template from another offset is another contact, although it reads the same.
        let numberStart: Int

        /// A subtree `PlanHashes` found alike in both plans: never asked, never reported.
        static let unexplored = Side(outcome: nil, transparentAccessCode: nil, extensionOf: nil, numberStart: -1)

        public func hash(into hasher: inout Hasher) {
            hasher.combine(transparentAccessCode)
            hasher.combine(extensionOf)
            hasher.combine(numberStart)
            hasher.combine(outcome.map { "\($0)" })
        }
    }

    /// Which dial strings a change covers.
    public enum Strings: Sendable, Hashable {
        /// Every string of the length of `first` from `first` to `last` (digits counted up).
        case range(first: String, last: String)
        /// Every string that starts with `prefix` and is longer than it.
        case longer(prefix: String)
    }

    public struct Change: Sendable, Equatable {
        public let customerID: String
        /// The calling extension, when the block is its own (its `[outbound]` classes): there its pair
        /// is not the customer's other phones' pair (`old` may equal `new`: it does not change there).
        public let callerExtension: String?
        public let strings: Strings
        public let old: Side
        public let new: Side
    }

    public var changes: [Change] = []
    public var customersAdded: [String] = []
    public var customersRemoved: [String] = []
    public var groupsAdded: [String] = []
    public var groupsRemoved: [String] = []

    public var isEmpty: Bool {
        changes.isEmpty && customersAdded.isEmpty && customersRemoved.isEmpty && groupsAdded.isEmpty && groupsRemoved.isEmpty
    }
}

extension DialPlan {
    /// Every difference `new` makes to `old`'s decisions, customer by customer (in `new`'s order).
    public static func diff(_ old: DialPlan, _ new: DialPlan) -> PlanDiff {
        var result = PlanDiff()
        let oldIDs = Set(old.customers.map(\.id))
        let newIDs = Set(new.customers.map(\.id))
        result.customersAdded = new.customers.map(\.id).filter { !oldIDs.contains($0) }
        result.customersRemoved = old.customers.map(\.id).filter { !newIDs.contains($0) }
        let oldGroups = Set(old.groupIDs)
        let newGroups = Set(new.groupIDs)
        result.groupsAdded = newGroups.subtracting(oldGroups).sorted()
        result.groupsRemoved = oldGroups.subtracting(newGroups).sorted()
        let oldIndex = Dictionary(old.customers.enumerated().map { ($1.id, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        let oldHashes = PlanHashes(old)
        let newHashes = PlanHashes(new)
        for (index, customer) in new.customers.enumerated() {
            guard let before = oldIndex[customer.id] else { continue }
            let newCaller = Int32(index)
            // Nothing that decides this caller's calls differs: no string can.
            if oldHashes.callerSignature(before) == newHashes.callerSignature(newCaller) { continue }
            let unchanged = PlanHashes.unchangedPrefixes(old: oldHashes, before, new: newHashes, newCaller)
            let explorer = DiffExplorer(old: old, oldCaller: before, new: new, newCaller: newCaller, unchanged: unchanged)
            let generic = explorer.changes(fromUser: nil)
            result.changes += generic.map { $0.change(customer: customer.id, callerExtension: nil) }
            let extensions = Set(old.customers[Int(before)].outbound.keys).union(customer.outbound.keys).sorted()
            for user in extensions {
                result.changes += explorer.changes(fromUser: user).map { $0.change(customer: customer.id, callerExtension: user) }
            }
        }
        return result
    }
}
