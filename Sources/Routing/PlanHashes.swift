import Config

/// A fingerprint of everything that decides one caller's calls in a plan, so that `PlanDiff` explores
/// only the callers whose fingerprint changed: on a large plan a change touches a few customers (and
/// the members of their groups), and the others cost one comparison.
///
/// Each trie node's hash covers its subtree (terminal, range block, reach, children) without following
/// access codes; a caller's signature follows its own root's access codes one level into the members'
/// subtrees, as a lookup does, and adds the caller's own access code, `[outbound]`, E.164 trunk and the
/// plan's numbering. Equal signatures mean equal decisions (up to a hash collision, 1 in 2^64).
struct PlanHashes {
    private let plan: DialPlan
    /// Per packed node: its subtree without following access codes.
    private let subtree: [Int]
    private let numbering: Int

    init(_ plan: DialPlan) {
        self.plan = plan
        let nodes = plan.packed.nodes
        var subtree = [Int](repeating: 0, count: nodes.count)
        // Children are packed after their parent: from the end, every child is hashed before its parent.
        for index in stride(from: nodes.count - 1, through: 0, by: -1) {
            let node = nodes[index]
            var hasher = Hasher()
            hasher.combine(node.terminalKind.rawValue)
            hasher.combine(node.reach.rawValue)
            if node.terminal != DialTrie.none { Self.combine(plan, entry: node.terminal, into: &hasher) }
            hasher.combine(node.blockWidth)
            if node.block != DialTrie.none { Self.combine(plan, entry: node.block, into: &hasher) }
            for symbol in 0..<DialSymbol.count {
                let child = plan.packed.child(node, symbol)
                if child != DialTrie.none {
                    hasher.combine(symbol)
                    hasher.combine(subtree[Int(child)])
                }
            }
            subtree[index] = hasher.finalize()
        }
        self.subtree = subtree
        var hasher = Hasher()
        let numbering = plan.numbering
        hasher.combine(numbering.isConfigured)
        hasher.combine(numbering.classNames)
        hasher.combine(numbering.classPrefixSymbols)
        hasher.combine(numbering.emergencyNumbers)
        hasher.combine(numbering.emergencyGateway.map(Self.templateText))
        hasher.combine(numbering.countryCode)
        hasher.combine(numbering.nationalPrefix)
        self.numbering = hasher.finalize()
    }

    /// What decides `caller`'s calls.
    func callerSignature(_ caller: Int32) -> Int {
        let customer = plan.customers[Int(caller)]
        var hasher = Hasher()
        hasher.combine(numbering)
        hasher.combine(customer.accessCode)
        hasher.combine(customer.e164Trunk == DialTrie.none)
        if customer.e164Trunk != DialTrie.none { Self.combine(plan, entry: customer.e164Trunk, into: &hasher) }
        for (user, allowance) in customer.outbound.sorted(by: { $0.key < $1.key }) {
            hasher.combine(user)
            hasher.combine(allowance.mask)
        }
        combineFollowingAccessCodes(customer.root, into: &hasher)
        return hasher.finalize()
    }

    /// The subtree of `node` with each access code's member subtree in it (one level, as a lookup goes).
    private func combineFollowingAccessCodes(_ node: Int32, into hasher: inout Hasher) {
        hasher.combine(subtree[Int(node)])
        let packed = plan.packed.nodes[Int(node)]
        if packed.terminalKind == .accessCode, case .accessCode(let member) = plan.entries[Int(packed.terminal)].kind {
            hasher.combine(subtree[Int(plan.customers[Int(member)].root)])
            hasher.combine(plan.customers[Int(member)].extensionCount > 0)
            return
        }
        guard packed.terminalKind == .none else { return }
        for symbol in 0..<DialSymbol.count {
            let child = plan.packed.child(packed, symbol)
            if child != DialTrie.none { combineFollowingAccessCodes(child, into: &hasher) }
        }
    }

    private static func combine(_ plan: DialPlan, entry index: Int32, into hasher: inout Hasher) {
        let entry = plan.entries[Int(index)]
        hasher.combine(entry.key)
        switch entry.kind {
        case .extensionContact(let template, let isRange):
            hasher.combine(0)
            hasher.combine(template?.text)
            hasher.combine(isRange)
        case .trunk(let gateway, let allowance):
            hasher.combine(1)
            hasher.combine(gateway.text)
            hasher.combine(allowance.mask)
        case .accessCode(let member):
            hasher.combine(2)
            hasher.combine(plan.customers[Int(member)].id)
        }
    }

    /// A target's URI as written, placeholder included.
    static func templateText(_ target: RouteTarget) -> String {
        if let general = target.general { return general.text }
        return target.hasPlaceholder ? "\(target.prefix){number}\(target.suffix)" : target.prefix
    }
}
