import Config
/// The trie walk behind routing. Cost: one step per dialled character, plus a digit check when a
/// range block is met on the way.
extension DialPlan {
    enum Match {
        /// An extension (or range member) starting at `start`; `via` is the access-code entry used, or none.
        case number(entry: Int32, start: Int, via: Int32)
        case trunk(entry: Int32, numberStart: Int)
        case foreignTrunk(via: Int32, trunk: Int32)
        case incomplete
        case none

        var isIncomplete: Bool {
            if case .incomplete = self { return true }
            return false
        }
    }

    /// Walks `bytes[start...]` from `root`. With `asMember` set (the access-code entry that led here),
    /// only the member's extensions count and its trunk codes are forbidden to the caller.
    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32, asMember via: Int32?) -> Match {
        var node = packed.nodes[Int(root)]
        var position = start
        var rangeHit = DialTrie.none
        var rangePrefix = false
        let count = bytes.count
        while true {
            let remaining = count - position
            if node.block != DialTrie.none {
                let width = Int(node.blockWidth)
                var digits = 0
                while digits < remaining, digits <= width, bytes[position + digits] >= 0x30, bytes[position + digits] <= 0x39 {
                    digits += 1
                }
                if remaining == width, digits == remaining {
                    rangeHit = node.block
                } else if remaining < width, digits == remaining {
                    rangePrefix = true
                }
            }
            let terminal = node.terminal
            switch node.terminalKind {
            case .none:
                break
            case .extensionNumber:
                if remaining == 0 { return .number(entry: terminal, start: start, via: via ?? DialTrie.none) }
            case .trunk:
                if let via { return .foreignTrunk(via: via, trunk: terminal) }
                return remaining > 0 ? .trunk(entry: terminal, numberStart: position) : .incomplete
            case .accessCode:
                if via == nil, case .accessCode(let member) = entries[Int(terminal)].kind {
                    return lookup(bytes, from: position, root: customers[Int(member)].root, asMember: terminal)
                }
            }
            // A terminal that did not decide ends the walk: nothing longer shares its prefix.
            if node.terminalKind != .none { break }
            guard remaining > 0, let symbol = DialSymbol.index(of: bytes[position]) else { break }
            let next = packed.child(node, symbol)
            guard next != DialTrie.none else { break }
            node = packed.nodes[Int(next)]
            position += 1
        }
        if rangeHit != DialTrie.none { return .number(entry: rangeHit, start: start, via: via ?? DialTrie.none) }
        let wanted: DialTrie.Reach = via == nil ? [.extensionNumber, .trunk, .accessCode] : .extensionNumber
        if position == count, node.terminal == DialTrie.none, !node.reach.isDisjoint(with: wanted) {
            return .incomplete
        }
        return rangePrefix ? .incomplete : .none
    }
}

extension DialPlan {
    /// ASCII lower-casing without Foundation; hosts are ASCII (IDNs arrive punycoded).
    @inline(__always)
    static func lowercasedHost(_ host: String) -> String {
        if !host.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return host }
        return String(decoding: host.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
