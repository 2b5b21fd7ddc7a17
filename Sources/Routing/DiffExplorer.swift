import Config

/// Walks the `InterestTrie` of one caller in two plans and asks both plans' own `dial` at each node,
/// so that the decisions compared are exactly the ones the daemon makes.
///
/// At a node (the strings of a path of symbol sets), the symbols split into classes that behave alike:
/// each symbol with a child of its own, the digits the node's `digits` child stands for, and the rest,
/// past every structure of both plans, where every longer string has its first symbol's decision. Each
/// class is asked once, through one representative string. A subtree whose strings all have the same
/// pair of decisions is reported by its parent as one block.
struct DiffExplorer {
    private let sides: [(plan: DialPlan, caller: Int32)]
    private let interest: InterestTrie
    /// Prefixes whose strings both plans decide alike (`PlanHashes.unchangedPrefixes`).
    private let unchanged: Set<[Int]>

    init(old: DialPlan, oldCaller: Int32, new: DialPlan, newCaller: Int32, unchanged: Set<[Int]> = []) {
        sides = [(old, oldCaller), (new, newCaller)]
        self.unchanged = unchanged
        interest = InterestTrie(sides, unchanged: unchanged)
    }

    /// A set of strings and the decisions of its two plans.
    struct Found: Hashable {
        let strings: PlanDiff.Strings
        let old: PlanDiff.Side
        let new: PlanDiff.Side

        func change(customer: String, callerExtension: String?) -> PlanDiff.Change {
            PlanDiff.Change(customerID: customer, callerExtension: callerExtension, strings: strings, old: old, new: new)
        }
    }

    /// Every block whose decisions differ, for calls from `fromUser` (nil: an extension without
    /// `[outbound]`); for an extension, every block where its pair of decisions is not the customer's
    /// other phones' pair (its own change, or no change where they have one).
    func changes(fromUser: String?) -> [Found] {
        var walk = Walk(explorer: self, fromUser: fromUser, found: [])
        // Every string decided alike by both plans' changes: one block, all strings.
        if case .same(let pair) = walk.below(interest.root, path: []), pair.changed {
            walk.found.append(contentsOf: Blocks.longer(path: [], pair: pair))
        }
        // In dial-string order, each string's own block before the longer ones.
        return walk.found.sorted { $0.strings.sortKey.lexicographicallyPrecedes($1.strings.sortKey) }
    }

    struct Pair: Equatable, DiffExplorerPair {
        let old: PlanDiff.Side
        let new: PlanDiff.Side
        /// For a calling extension: the pair of the customer's phones without `[outbound]`.
        var baseline: [PlanDiff.Side]? = nil
        /// Something changes (for the extension or for the others), and not alike for both.
        var changed: Bool {
            guard let baseline else { return old != new }
            return (old != new || baseline[0] != baseline[1]) && baseline != [old, new]
        }
    }

    /// What every string strictly below a node got: one pair for all, or several (already reported).
    enum Summary: Equatable {
        case same(Pair)
        case mixed
    }

    private struct Walk {
        let explorer: DiffExplorer
        let fromUser: String?
        var found: [Found]

        mutating func below(_ node: InterestNode, path: [SymbolSet]) -> Summary {
            let alphabet = SymbolSet.alphabet(after: path)
            var parts: [(path: [SymbolSet], exact: Pair, below: Summary)] = []
            var taken = SymbolSet()
            for symbol in node.children.keys.sorted() where alphabet.contains(symbol) {
                guard let child = node.children[symbol] else { continue }
                taken.insert(symbol)
                let childPath = path + [SymbolSet(symbol)]
                if explorer.unchanged.contains(childPath.map(\.representative)) {
                    let alike = Pair(
                        old: .unexplored, new: .unexplored, baseline: fromUser == nil ? nil : [.unexplored, .unexplored])
                    parts.append((childPath, alike, .same(alike)))
                    continue
                }
                parts.append((childPath, pair(childPath, rest: false), below(child, path: childPath)))
            }
            if let digits = node.digits {
                let free = alphabet.intersection(.digits).subtracting(taken)
                if !free.isEmpty {
                    taken.formUnion(free)
                    let childPath = path + [free]
                    parts.append((childPath, pair(childPath, rest: false), below(digits, path: childPath)))
                }
            }
            let rest = alphabet.subtracting(taken)
            if !rest.isEmpty {
                // Past the own access code, what is longer counts as a whole; the string itself is asked
                // as it is, unless both plans route it as without the same code (then it shows there).
                let childPath = path + [rest]
                let longer = pair(childPath, rest: true)
                let bothWithout = longer.old.transparentAccessCode != nil && longer.old == longer.new
                parts.append((childPath, bothWithout ? longer : pair(childPath, rest: false), .same(longer)))
            }
            if let first = parts.first, parts.allSatisfy({ $0.exact == first.exact && $0.below == .same(first.exact) }) {
                return .same(first.exact)
            }
            for part in parts {
                if part.exact.changed { found += Blocks.range(path: part.path, pair: part.exact) }
                if case .same(let pair) = part.below, pair.changed { found += Blocks.longer(path: part.path, pair: pair) }
            }
            return .mixed
        }

        /// The decisions of the strings of `path` (its representative asked); `rest`: past every
        /// structure, where a string that starts with the caller's own access code is that call without it.
        private func pair(_ path: [SymbolSet], rest: Bool) -> Pair {
            let sides = sides(path, rest: rest, fromUser: fromUser)
            return Pair(
                old: sides[0], new: sides[1], baseline: fromUser == nil ? nil : self.sides(path, rest: rest, fromUser: nil))
        }

        private func sides(_ path: [SymbolSet], rest: Bool, fromUser: String?) -> [PlanDiff.Side] {
            let symbols = path.map(\.representative)
            return explorer.sides.map { plan, caller -> PlanDiff.Side in
                if rest || explorer.interest.pastCodeIsWithoutCode, let own = plan.customers[Int(caller)].accessCode,
                    symbols.count > own.count, symbols.starts(with: own)
                {
                    return PlanDiff.Side(
                        outcome: nil, transparentAccessCode: plan.customers[Int(caller)].accessCodeText, extensionOf: nil,
                        numberStart: own.count)
                }
                return DiffExplorer.side(plan, caller: caller, dialled: SymbolSet.text(symbols), fromUser: fromUser)
            }
        }

    }

    /// The decision of `dialled` as a diff compares it: a redirect's template, not its rendered URI.
    static func side(_ plan: DialPlan, caller: Int32, dialled: String, fromUser: String?) -> PlanDiff.Side {
        let decision = plan.dial(dialled, caller: caller, fromUser: fromUser)
        // Whose extension is reached, and from where its number starts: whose registered phones ring.
        let reached = decision.reachedExtension?.customerID
        guard case .redirect = decision.outcome else {
            let start = reached == nil ? 0 : Int(decision.source.numberStart)
            return PlanDiff.Side(outcome: decision.outcome, transparentAccessCode: nil, extensionOf: reached, numberStart: start)
        }
        let source = decision.source
        let template: String
        if source.entry == ContactSource.emergencyGateway {
            template = plan.numbering.emergencyGateway.map(PlanHashes.templateText) ?? ""
        } else if source.entry >= 0 {
            switch plan.entries[Int(source.entry)].kind {
            case .extensionContact(let contact, _): template = contact?.text ?? ""
            case .trunk(let gateway, _): template = gateway.text
            case .accessCode: template = ""
            }
        } else {
            template = decision.contact ?? ""
        }
        // Without a placeholder the offset says nothing: the contact is the template itself.
        let start = template.contains("{") || reached != nil ? Int(source.numberStart) : 0
        return PlanDiff.Side(
            outcome: .redirect(contact: template), transparentAccessCode: nil, extensionOf: reached, numberStart: start)
    }
}

extension PlanDiff.Strings {
    /// Symbols in dial order (0-9, *, #, +), then 0 for a range and 1 for "longer than".
    fileprivate var sortKey: [Int] {
        let order = { (character: Character) -> Int in
            character == "+" ? InterestTrie.plus : character.asciiValue.flatMap { DialSymbol.index(of: $0) } ?? 99
        }
        switch self {
        case .range(let first, _): return first.map(order) + [-1]
        case .longer(let prefix): return prefix.map(order) + [99]
        }
    }
}
