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
    let plan: DialPlan
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
        // A prefix moved from one class to the next changes no list of prefixes: each with its class.
        hasher.combine(numbering.classPrefixSymbols)
        hasher.combine(numbering.classPrefixClasses)
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

    /// The dial string prefixes under which `old` and `new` decide every string alike for this caller,
    /// found without asking `dial`: the same subtree in both (the same member behind an access code),
    /// reached through the same range blocks, with no emergency number or own access code related to
    /// the prefix, and no trunk below unless numbering and `[outbound]` are the same too.
    static func unchangedPrefixes(old: PlanHashes, _ oldCaller: Int32, new: PlanHashes, _ newCaller: Int32) -> Set<[Int]> {
        let customers = (old: old.plan.customers[Int(oldCaller)], new: new.plan.customers[Int(newCaller)])
        let trunksAlike =
            old.numbering == new.numbering && customers.old.outbound.mapValues(\.mask) == customers.new.outbound.mapValues(\.mask)
        let emergency = Set(old.plan.numbering.emergencyNumbers + new.plan.numbering.emergencyNumbers).map {
            $0.utf8.compactMap { DialSymbol.index(of: $0) }
        }
        let codes = [customers.old.accessCode, customers.new.accessCode].compactMap { $0 }
        let related = { (path: [Int]) in
            (emergency + codes).contains { $0.starts(with: path) || path.starts(with: $0) }
        }
        var found = Set<[Int]>()
        func walk(_ oldNode: Int32, _ newNode: Int32, _ path: [Int]) {
            let nodes = (old: old.plan.packed.nodes[Int(oldNode)], new: new.plan.packed.nodes[Int(newNode)])
            if !path.isEmpty, !related(path) {
                if case .accessCode(let oldMember) = nodes.old.terminalKind == .accessCode
                    ? old.plan.entries[Int(nodes.old.terminal)].kind : nil,
                    case .accessCode(let newMember) = nodes.new.terminalKind == .accessCode
                        ? new.plan.entries[Int(nodes.new.terminal)].kind : nil
                {
                    let members = (old: old.plan.customers[Int(oldMember)], new: new.plan.customers[Int(newMember)])
                    if members.old.id == members.new.id, old.subtree[Int(members.old.root)] == new.subtree[Int(members.new.root)],
                        (members.old.extensionCount > 0) == (members.new.extensionCount > 0)
                    {
                        found.insert(path)
                    }
                    return
                }
                // `reach` is what lies below a node, not the node itself.
                let trunkHere = nodes.old.terminalKind == .trunk || nodes.old.reach.contains(.trunk)
                if old.subtree[Int(oldNode)] == new.subtree[Int(newNode)], trunksAlike || !trunkHere {
                    found.insert(path)
                    return
                }
            }
            // A range block met on the way decides strings below it: past a block that differs, nothing
            // below can be taken as alike.
            guard nodes.old.blockWidth == nodes.new.blockWidth,
                blockSignature(old.plan, nodes.old) == blockSignature(new.plan, nodes.new)
            else { return }
            for symbol in 0..<DialSymbol.count {
                let children = (old: old.plan.packed.child(nodes.old, symbol), new: new.plan.packed.child(nodes.new, symbol))
                if children.old != DialTrie.none, children.new != DialTrie.none {
                    walk(children.old, children.new, path + [symbol])
                }
            }
        }
        walk(customers.old.root, customers.new.root, [])
        return found
    }

    private static func blockSignature(_ plan: DialPlan, _ node: PackedTrie.Node) -> Int? {
        guard node.block != DialTrie.none else { return nil }
        var hasher = Hasher()
        combine(plan, entry: node.block, into: &hasher)
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
