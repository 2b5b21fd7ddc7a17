import Config

/// The dial strings at which one caller's decisions can change, in two plans together: every path of
/// the caller's trie (and through its access codes, of the members' tries), each range block's digits,
/// trunk codes followed by class prefixes and emergency numbers, the emergency numbers, the own access
/// code, and the `+` numbers' country code and classes. Past its leaves nothing decides any more: every
/// longer string gets the decision of its first symbol past the leaf (see `DiffExplorer`).
///
/// A node's `digits` child stands for every digit without a child of its own (a range block's free
/// digits); a child made for a digit where `digits` exists starts as a copy of it, so that each digit
/// keeps all it stands for.
final class InterestNode {
    var children: [Int: InterestNode] = [:]
    var digits: InterestNode?

    func copy() -> InterestNode {
        let copy = InterestNode()
        copy.children = children.mapValues { $0.copy() }
        copy.digits = digits?.copy()
        return copy
    }
}

/// One position of an inserted pattern: a symbol (`DialSymbol` index, or `InterestTrie.plus`), or any digit.
enum InterestStep: Equatable {
    case symbol(Int)
    case anyDigit
}

struct InterestTrie {
    /// `+` as a symbol: only ever first.
    static let plus = DialSymbol.count

    let root = InterestNode()
    /// Whether every string longer than a plan's own access code for the caller is routed as without
    /// the code: no entry of the caller's own starts with its code, in either plan. Then the explorer
    /// compares those strings as "dialled without the code" (`PlanDiff.Side.transparentAccessCode`) and
    /// needs no structure past the code; else the plans' structure is copied past it.
    let pastCodeIsWithoutCode: Bool

    /// Both plans' structure for one caller. Past the caller's own access code a plan routes what
    /// follows as if dialled alone; when an entry of the caller's own starts with the code, not every
    /// string past it is, and then the plan's structure is copied after the code (and after the code
    /// repeated) as deep as any structure of either plan goes.
    /// `unchanged`: prefixes decided alike in both plans (`PlanHashes.unchangedPrefixes`), whose
    /// structure below need not be known (the explorer does not walk into them).
    init(_ sides: [(plan: DialPlan, caller: Int32)], unchanged: Set<[Int]> = []) {
        let patterns = sides.map { Self.patterns($0.plan, caller: $0.caller, unchanged: unchanged) }
        let depth = patterns.joined().map(\.count).max() ?? 0
        let codes = sides.map { $0.plan.customers[Int($0.caller)].accessCode }
        let startsWithCode = zip(patterns, codes).contains { own, code in
            guard let code else { return false }
            let steps: [InterestStep] = code.map { .symbol($0) }
            return own.contains { $0.count > steps.count && Array($0.prefix(steps.count)) == steps }
        }
        pastCodeIsWithoutCode = !startsWithCode
        for (side, own) in zip(sides, patterns) {
            for pattern in own { insert(pattern) }
            guard startsWithCode, let code = side.plan.customers[Int(side.caller)].accessCode, !code.isEmpty else { continue }
            // After the code every prefix counts again: the copies keep what `unchanged` cut.
            let own = unchanged.isEmpty ? own : Self.patterns(side.plan, caller: side.caller, unchanged: [])
            var prefix: [InterestStep] = []
            while prefix.count + code.count < depth {
                prefix += code.map { .symbol($0) }
                for pattern in own { insert(prefix + pattern) }
            }
        }
    }

    private func insert(_ pattern: [InterestStep]) {
        insert(pattern[...], at: root)
    }

    private func insert(_ pattern: ArraySlice<InterestStep>, at node: InterestNode) {
        guard let step = pattern.first else { return }
        let rest = pattern.dropFirst()
        switch step {
        case .symbol(let symbol):
            let child: InterestNode
            if let existing = node.children[symbol] {
                child = existing
            } else {
                child = symbol < 10 ? node.digits?.copy() ?? InterestNode() : InterestNode()
                node.children[symbol] = child
            }
            insert(rest, at: child)
        case .anyDigit:
            let wildcard = node.digits ?? InterestNode()
            node.digits = wildcard
            insert(rest, at: wildcard)
            for (symbol, child) in node.children where symbol < 10 { insert(rest, at: child) }
        }
    }

    /// What decides `caller`'s calls in `plan`.
    private static func patterns(_ plan: DialPlan, caller: Int32, unchanged: Set<[Int]>) -> [[InterestStep]] {
        var patterns: [[InterestStep]] = []
        func insert(_ pattern: [InterestStep]) { patterns.append(pattern) }
        let customer = plan.customers[Int(caller)]
        let numbering = plan.numbering
        let emergency = numbering.emergencyNumbers.map { number in number.utf8.compactMap { DialSymbol.index(of: $0) } }
        addTrie(
            plan, node: customer.root, prefix: [], inMember: false, emergency: emergency, unchanged: unchanged, into: &patterns)
        for number in emergency { insert(number.map { .symbol($0) }) }
        if let own = customer.accessCode { insert(own.map { .symbol($0) }) }
        // `+` numbers: the country code, then the national digits whose class prefix starts with the
        // national prefix (`classIndexOfE164` reads national prefix + the rest).
        insert([.symbol(Self.plus)])
        let country = numbering.countryCode.map { Int($0 &- 0x30) }
        let national = numbering.nationalPrefix.map { Int($0 &- 0x30) }
        if !country.isEmpty {
            let start: [InterestStep] = [.symbol(Self.plus)] + country.map { .symbol($0) }
            insert(start)
            for prefix in numbering.classPrefixSymbols where prefix.starts(with: national) {
                insert(start + prefix.dropFirst(national.count).map { .symbol($0) })
            }
        }
        return patterns
    }

    private static func addTrie(
        _ plan: DialPlan, node index: Int32, prefix: [InterestStep], inMember: Bool, emergency: [[Int]],
        unchanged: Set<[Int]>, into patterns: inout [[InterestStep]]
    ) {
        let node = plan.packed.nodes[Int(index)]
        func insert(_ pattern: [InterestStep]) { patterns.append(pattern) }
        insert(prefix)
        if !inMember, !unchanged.isEmpty, unchanged.contains(prefix.compactMap { if case .symbol(let s) = $0 { s } else { nil } })
        {
            return
        }
        if node.block != DialTrie.none {
            insert(prefix + Array(repeating: .anyDigit, count: Int(node.blockWidth)))
        }
        switch node.terminalKind {
        case .none:
            break
        case .trunk:
            guard !inMember else { return }
            for classPrefix in plan.numbering.classPrefixSymbols { insert(prefix + classPrefix.map { .symbol($0) }) }
            for number in emergency { insert(prefix + number.map { .symbol($0) }) }
            return
        case .accessCode:
            guard !inMember, case .accessCode(let member) = plan.entries[Int(node.terminal)].kind else { return }
            addTrie(
                plan, node: plan.customers[Int(member)].root, prefix: prefix, inMember: true, emergency: emergency,
                unchanged: unchanged, into: &patterns)
            return
        case .extensionNumber:
            // A terminal ends every walk: nothing longer shares its prefix.
            return
        }
        for symbol in 0..<DialSymbol.count {
            let child = plan.packed.child(node, symbol)
            if child != DialTrie.none {
                addTrie(
                    plan, node: child, prefix: prefix + [.symbol(symbol)], inMember: inMember, emergency: emergency,
                    unchanged: unchanged, into: &patterns)
            }
        }
    }
}
