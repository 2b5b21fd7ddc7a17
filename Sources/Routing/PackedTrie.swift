import Config

/// The read-only form of `DialTrie` used for routing: 16 bytes a node, the children of a node stored
/// side by side and found with a bit mask and a popcount. Smaller nodes laid out depth-first keep a
/// lookup's few nodes close together in memory, which is what bounds speed on a large plan.
struct PackedTrie: Sendable {
    struct Node: Sendable {
        /// Bit s set when the child for dial symbol s exists.
        var childMask: UInt16 = 0
        var blockWidth: UInt8 = 0
        var reach: DialTrie.Reach = []
        /// What `terminal` is, kept in the node so the walk does not touch the entry (a cache miss) to learn it.
        var terminalKind: TerminalKind = .none
        /// Index of the first child; the others follow in symbol order.
        var firstChild: Int32 = DialTrie.none
        var terminal: Int32 = DialTrie.none
        var block: Int32 = DialTrie.none
    }

    enum TerminalKind: UInt8, Sendable {
        case none, extensionNumber, trunk, accessCode
    }

    private(set) var nodes: [Node] = []
    /// The packed index of each root given to `init`, in the same order.
    private(set) var roots: [Int32] = []

    /// Packs every subtree whose root is in `roots`.
    init(_ trie: DialTrie, roots: [Int32], entries: [DialEntry]) {
        nodes.reserveCapacity(trie.nodeCount)
        for root in roots {
            let packed = Int32(nodes.count)
            nodes.append(Node())
            self.roots.append(packed)
            fill(packed, from: root, trie, entries)
        }
    }

    private mutating func fill(_ packed: Int32, from source: Int32, _ trie: DialTrie, _ entries: [DialEntry]) {
        var node = Node()
        node.terminal = trie.terminal[Int(source)]
        if node.terminal != DialTrie.none {
            switch entries[Int(node.terminal)].kind {
            case .extensionContact: node.terminalKind = .extensionNumber
            case .trunk: node.terminalKind = .trunk
            case .accessCode: node.terminalKind = .accessCode
            }
        }
        node.block = trie.block[Int(source)]
        node.blockWidth = trie.blockLength[Int(source)]
        node.reach = trie.reach[Int(source)]
        var children: [Int32] = []
        for symbol in 0..<DialSymbol.count {
            let child = trie.child(source, symbol)
            if child != DialTrie.none {
                node.childMask |= 1 << UInt16(symbol)
                children.append(child)
            }
        }
        if !children.isEmpty {
            node.firstChild = Int32(nodes.count)
            nodes.append(contentsOf: repeatElement(Node(), count: children.count))
        }
        nodes[Int(packed)] = node
        for (offset, child) in children.enumerated() {
            fill(node.firstChild + Int32(offset), from: child, trie, entries)
        }
    }

    @inline(__always)
    func child(_ node: Node, _ symbol: Int) -> Int32 {
        let bit: UInt16 = 1 << UInt16(symbol)
        guard node.childMask & bit != 0 else { return DialTrie.none }
        return node.firstChild + Int32((node.childMask & (bit &- 1)).nonzeroBitCount)
    }
}
