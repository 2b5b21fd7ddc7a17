import Config

/// A small trie of dial strings with a value at some nodes: the emergency numbers, or the prefixes of
/// the call classes. A walk costs one step per dialled character, like the dial plan's own trie; it is
/// kept apart from that trie because its entries belong to every customer at once.
struct PrefixTable: Sendable {
    static let none: Int32 = -1

    private var children: [Int32] = Array(repeating: PrefixTable.none, count: DialSymbol.count)
    private var values: [Int32] = [PrefixTable.none]
    private var branches: [Bool] = [false]

    /// Where a walk stands: the node reached, and the deepest value met on the way.
    struct Cursor {
        var node: Int32 = 0
        var depth = 0
        var value: Int32 = PrefixTable.none
        var valueDepth = 0
    }

    /// What a whole string is in the table.
    enum Match: Equatable {
        case value(Int32)
        /// A proper prefix of at least one entry.
        case properPrefix
        case none
    }

    var isEmpty: Bool { !branches[0] }

    mutating func insert(_ symbols: [Int], value: Int32) {
        var node = 0
        for symbol in symbols {
            branches[node] = true
            var next = Int(children[node * DialSymbol.count + symbol])
            if next < 0 {
                next = values.count
                children.append(contentsOf: repeatElement(PrefixTable.none, count: DialSymbol.count))
                values.append(PrefixTable.none)
                branches.append(false)
                children[node * DialSymbol.count + symbol] = Int32(next)
            }
            node = next
        }
        values[node] = value
    }

    /// One step along `byte`; false (the cursor unchanged) when no entry continues that way.
    @inline(__always)
    func advance(_ cursor: inout Cursor, _ byte: UInt8) -> Bool {
        guard let symbol = DialSymbol.index(of: byte) else { return false }
        let next = children[Int(cursor.node) &* DialSymbol.count &+ symbol]
        guard next >= 0 else { return false }
        cursor.node = next
        cursor.depth += 1
        let value = values[Int(next)]
        if value >= 0 {
            cursor.value = value
            cursor.valueDepth = cursor.depth
        }
        return true
    }

    /// `bytes[start...]` as a whole: an entry, a proper prefix of one, or neither.
    @inline(__always)
    func match(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Match {
        if isEmpty { return .none }
        var cursor = Cursor()
        var position = start
        while position < bytes.count {
            guard advance(&cursor, bytes[position]) else { return .none }
            position += 1
        }
        let value = values[Int(cursor.node)]
        if value >= 0 { return .value(value) }
        return branches[Int(cursor.node)] ? .properPrefix : .none
    }

    /// True when the dial string `symbols` equals an entry, is a prefix of one, or starts with one.
    func isRelated(_ symbols: [Int]) -> Bool {
        var node = 0
        for symbol in symbols {
            node = Int(children[node * DialSymbol.count + symbol])
            if node < 0 { return false }
            if values[node] >= 0 { return true }
        }
        return true
    }

    /// The value of the longest entry that `bytes` starts with, and its length; (none, 0) when no entry is
    /// a prefix of them.
    func longestPrefix(of bytes: some Sequence<UInt8>) -> (value: Int32, length: Int) {
        var cursor = Cursor()
        for byte in bytes {
            guard advance(&cursor, byte) else { break }
        }
        return (cursor.value, cursor.valueDepth)
    }
}
