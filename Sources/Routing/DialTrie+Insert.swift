import Config
/// Inserting entries while detecting prefix conflicts: within what one customer can dial, no string
/// may equal or be a prefix of another (else a caller could never finish dialling the longer one).
/// The one exception: an explicit extension inside its own customer's range overrides the range.
extension DialTrie {
    enum Relation {
        /// The new entry and the other one are (or contain) the same dial string.
        case same
        /// The new entry is a prefix of (numbers of) the other one.
        case newIsPrefix
        /// The other entry (or one of its numbers) is a prefix of the new one.
        case otherIsPrefix
        /// Two ranges share numbers.
        case overlap
    }

    struct Conflict {
        let other: Int32
        let relation: Relation
    }

    /// Inserts an exact string (symbol indices). `overrides(block)` says whether the new entry may
    /// override that range entry for its one number.
    mutating func insertExact(
        root: Int32, symbols: [Int], entry: Int32, overrides: (Int32) -> Bool
    ) -> Conflict? {
        var node = root
        let count = symbols.count
        for depth in 0...count {
            let remaining = count - depth
            let existing = terminal[Int(node)]
            if existing != DialTrie.none {
                return Conflict(other: existing, relation: remaining == 0 ? .same : .otherIsPrefix)
            }
            let range = block[Int(node)]
            if range != DialTrie.none {
                let width = Int(blockLength[Int(node)])
                let leadingDigits = symbols[depth...].prefix { $0 < 10 }.count
                if remaining == width, leadingDigits == remaining {
                    if !overrides(range) { return Conflict(other: range, relation: .same) }
                } else if remaining < width, leadingDigits == remaining {
                    return Conflict(other: range, relation: .newIsPrefix)
                } else if remaining > width, leadingDigits >= width {
                    return Conflict(other: range, relation: .otherIsPrefix)
                }
            }
            if depth == count { break }
            node = childOrNew(node, symbols[depth])
        }
        if let below = anyEntry(below: node) {
            return Conflict(other: below, relation: .newIsPrefix)
        }
        setTerminal(node, entry)
        return nil
    }

    /// Inserts "prefix followed by any `width` digits". Ranges are inserted before exact strings, so
    /// anything already below the prefix belongs to another range.
    mutating func insertBlock(root: Int32, prefix: [Int], width: Int, entry: Int32) -> Conflict? {
        var node = root
        for depth in 0...prefix.count {
            let existing = terminal[Int(node)]
            if existing != DialTrie.none {
                let same = depth == prefix.count && width == 0
                return Conflict(other: existing, relation: same ? .same : .otherIsPrefix)
            }
            if block[Int(node)] != DialTrie.none {
                return Conflict(other: block[Int(node)], relation: .overlap)
            }
            if depth == prefix.count { break }
            node = childOrNew(node, prefix[depth])
        }
        if let below = anyEntry(below: node) {
            return Conflict(other: below, relation: .overlap)
        }
        setBlock(node, entry, length: width)
        return nil
    }
}

/// Splits an inclusive range of equal-length digit strings into disjoint (prefix, width) blocks:
/// "150"-"249" → ("15", 1)…("19", 1), ("20", 1)…("24", 1); "100"-"199" → ("1", 2); at most 2 × 9
/// blocks per digit.
/// Only an `ExtensionRange` is split, so both ends are digits of one length with low <= high, and the
/// recursion (one level per digit, at most 10) keeps that true for the rest of both ends.
enum RangeDecomposition {
    static func blocks(_ range: ExtensionRange) -> [(prefix: [Int], width: Int)] {
        blocks(low: range.low.symbols[...], high: range.high.symbols[...])
    }

    private static func blocks(low: ArraySlice<Int>, high: ArraySlice<Int>) -> [(prefix: [Int], width: Int)] {
        if low.isEmpty, high.isEmpty { return [([], 0)] }
        guard let first = low.first, let last = high.first, low.count == high.count else { return [] }
        if low.allSatisfy({ $0 == 0 }), high.allSatisfy({ $0 == 9 }) { return [([], low.count)] }
        let rest = low.count - 1
        if first == last {
            return blocks(low: low.dropFirst(), high: high.dropFirst()).map { ([first] + $0.prefix, $0.width) }
        }
        var result = blocks(low: low.dropFirst(), high: ArraySlice(repeating: 9, count: rest))
            .map { ([first] + $0.prefix, $0.width) }
        // stride, not first + 1 ..< last, which would trap were the ends ever reversed.
        for digit in stride(from: first + 1, to: last, by: 1) {
            result.append(([digit], rest))
        }
        result += blocks(low: ArraySlice(repeating: 0, count: rest), high: high.dropFirst())
            .map { ([last] + $0.prefix, $0.width) }
        return result
    }
}
