/// The characters a phone can dial: 0-9, `*` and `#`, numbered 0-11 so that a trie node can index its
/// children with them directly.
package enum DialSymbol {
    package static let count = 12

    /// The symbol index of an ASCII byte, or nil when the byte cannot be dialled.
    @inline(__always)
    package static func index(of byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte &- 0x30)
        case 0x2A: return 10  // *
        case 0x23: return 11  // #
        default: return nil
        }
    }
}

/// A dial string that passed its check: 1 to `maximumLength` characters of 0-9, `*` and `#`, with the
/// symbol index of each. Extensions, trunk codes and access codes are carried as this type from the
/// parser to the compiler, so that the compiler cannot be handed text that failed its check (an
/// access code "7a" once reached it as a String and trapped on the `a`).
package struct DialString: Sendable, Hashable, CustomStringConvertible {
    package let text: String
    package let symbols: [Int]

    package init?(_ text: String, maximumLength: Int = 10, digitsOnly: Bool = false) {
        var symbols: [Int] = []
        for byte in text.utf8 {
            guard symbols.count < maximumLength, let symbol = DialSymbol.index(of: byte), !digitsOnly || symbol < 10 else {
                return nil
            }
            symbols.append(symbol)
        }
        guard !symbols.isEmpty else { return nil }
        self.text = text
        self.symbols = symbols
    }

    package var description: String { text }
}

/// An extension range "LOW-HIGH" that passed its check: two numbers of 1 to 10 digits, of one length,
/// LOW <= HIGH. Only `parse` makes one, so whoever splits it into trie blocks can rely on all three.
package struct ExtensionRange: Sendable, Hashable {
    package let low: DialString
    package let high: DialString

    package enum ParseError: Error, Equatable {
        case notTwoNumbers
        case differentLengths(Int, Int)
        case reversed
    }

    /// nil when `key` is not of the form "A-B" at all (then it may be a single extension).
    package static func parse(_ key: String) -> Result<ExtensionRange, ParseError>? {
        let ends = key.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2 else { return nil }
        guard let low = DialString(String(ends[0]), digitsOnly: true), let high = DialString(String(ends[1]), digitsOnly: true)
        else {
            return .failure(.notTwoNumbers)
        }
        guard low.symbols.count == high.symbols.count else {
            return .failure(.differentLengths(low.symbols.count, high.symbols.count))
        }
        // Same length, digits only: comparing the symbol arrays compares the numbers.
        guard !high.symbols.lexicographicallyPrecedes(low.symbols) else { return .failure(.reversed) }
        return .success(ExtensionRange(low: low, high: high))
    }

    /// How many numbers the range covers; at most 10^10, so no overflow.
    package var size: Int {
        var low = 0
        var high = 0
        for (l, h) in zip(self.low.symbols, self.high.symbols) {
            low = low * 10 + l
            high = high * 10 + h
        }
        return high - low + 1
    }
}

/// Answers "is this number inside one of these ranges?" in O(log n), for the checks that ask it once per
/// extension or credential: a linear scan made a file of 100,000 credentials and 100,000 ranges take
/// 10^10 steps, which is a hung `check` or reload.
package struct ExtensionRangeIndex: Sendable {
    /// Per number length: the ranges sorted by low end, and the greatest high end up to each of them.
    private var byLength: [Int: (lows: [[Int]], highestSoFar: [[Int]])] = [:]

    package init(_ ranges: [ExtensionRange]) {
        let grouped = Dictionary(grouping: ranges, by: { $0.low.symbols.count })
        for (length, group) in grouped {
            let sorted = group.sorted { $0.low.symbols.lexicographicallyPrecedes($1.low.symbols) }
            var highest: [[Int]] = []
            for range in sorted {
                if let last = highest.last, !last.lexicographicallyPrecedes(range.high.symbols) {
                    highest.append(last)
                } else {
                    highest.append(range.high.symbols)
                }
            }
            byLength[length] = (sorted.map(\.low.symbols), highest)
        }
    }

    package func contains(_ number: DialString) -> Bool {
        let symbols = number.symbols
        guard symbols.allSatisfy({ $0 < 10 }), let ranges = byLength[symbols.count] else { return false }
        // The last range whose low end is <= number: number is inside some range iff it is <= the
        // greatest high end among that range and those before it.
        var lower = 0
        var upper = ranges.lows.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if symbols.lexicographicallyPrecedes(ranges.lows[middle]) { upper = middle } else { lower = middle + 1 }
        }
        guard lower > 0 else { return false }
        return !ranges.highestSoFar[lower - 1].lexicographicallyPrecedes(symbols)
    }
}
