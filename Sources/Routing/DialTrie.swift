import Config
/// The compiled dial strings of every customer: one trie root per customer, all nodes in flat arrays so a
/// lookup is a walk of at most `dialled.count` steps whatever the number of customers or extensions.
///
/// A node holds at most one *terminal* (an exact string ends here) and at most one *block*: "any
/// `blockLength` more digits", which is how an extension range is stored without expanding it —
/// `100-199` becomes the block ("1", 2 digits); `150-249` becomes ("15"…"19", 1) and ("20"…"24", 1).
struct DialTrie: Sendable {
    /// Kinds of entries reachable strictly below a node, to answer 484 in one step.
    struct Reach: OptionSet, Sendable {
        let rawValue: UInt8
        static let extensionNumber = Reach(rawValue: 1)
        static let trunk = Reach(rawValue: 2)
        /// An access code of a member that has at least one extension.
        static let accessCode = Reach(rawValue: 4)
    }

    static let none: Int32 = -1

    private(set) var children: [Int32] = []
    private(set) var terminal: [Int32] = []
    private(set) var block: [Int32] = []
    private(set) var blockLength: [UInt8] = []
    private(set) var reach: [Reach] = []

    var nodeCount: Int { terminal.count }

    mutating func makeNode() -> Int32 {
        children.append(contentsOf: repeatElement(DialTrie.none, count: DialSymbol.count))
        terminal.append(DialTrie.none)
        block.append(DialTrie.none)
        blockLength.append(0)
        reach.append([])
        return Int32(terminal.count - 1)
    }

    @inline(__always)
    func child(_ node: Int32, _ symbol: Int) -> Int32 {
        children[Int(node) &* DialSymbol.count &+ symbol]
    }

    mutating func childOrNew(_ node: Int32, _ symbol: Int) -> Int32 {
        let existing = child(node, symbol)
        if existing != DialTrie.none { return existing }
        let created = makeNode()
        children[Int(node) * DialSymbol.count + symbol] = created
        return created
    }

    func hasChildren(_ node: Int32) -> Bool {
        let start = Int(node) * DialSymbol.count
        return children[start..<start + DialSymbol.count].contains { $0 != DialTrie.none }
    }

    mutating func setTerminal(_ node: Int32, _ entry: Int32) { terminal[Int(node)] = entry }

    mutating func setBlock(_ node: Int32, _ entry: Int32, length: Int) {
        block[Int(node)] = entry
        blockLength[Int(node)] = UInt8(length)
    }

    /// The first entry found below `node` (a witness for "is a prefix of" messages).
    func anyEntry(below node: Int32) -> Int32? {
        var stack = [node]
        while let current = stack.popLast() {
            if current != node {
                if terminal[Int(current)] != DialTrie.none { return terminal[Int(current)] }
            }
            if block[Int(current)] != DialTrie.none, current != node || blockLength[Int(current)] > 0 {
                return block[Int(current)]
            }
            for symbol in 0..<DialSymbol.count where child(current, symbol) != DialTrie.none {
                stack.append(child(current, symbol))
            }
        }
        return nil
    }

    /// Fills `reach` bottom-up; `kindOf` says what an entry contributes. Children always have a higher
    /// index than their parent, so one reverse pass sees every child before its parent.
    mutating func computeReach(kindOf: (Int32) -> Reach) {
        for node in stride(from: nodeCount - 1, through: 0, by: -1) {
            var below: Reach = block[node] != DialTrie.none && blockLength[node] > 0 ? .extensionNumber : []
            let start = node * DialSymbol.count
            for symbol in 0..<DialSymbol.count {
                let c = Int(children[start + symbol])
                guard c >= 0 else { continue }
                below.formUnion(reach[c])
                if terminal[c] != DialTrie.none { below.formUnion(kindOf(terminal[c])) }
                if block[c] != DialTrie.none { below.insert(.extensionNumber) }
            }
            reach[node] = below
        }
    }
}
