import Config

/// A set of dial symbols: `DialSymbol` indices 0-11 (0-9, `*`, `#`) and `+` (12).
struct SymbolSet: Hashable {
    private(set) var bits: UInt16 = 0

    static let digits = SymbolSet(bits: 0x3FF)
    static let dialSymbols = SymbolSet(bits: 0xFFF)
    static let plusSign = SymbolSet(InterestTrie.plus)

    init() {}
    init(bits: UInt16) { self.bits = bits }
    init(_ symbol: Int) { bits = 1 << UInt16(symbol) }

    /// What may follow `path` in a dial string: anything first, only digits after `+`, and `+` only first.
    static func alphabet(after path: [SymbolSet]) -> SymbolSet {
        guard let first = path.first else { return SymbolSet(bits: dialSymbols.bits | plusSign.bits) }
        return first == plusSign ? digits : dialSymbols
    }

    var isEmpty: Bool { bits == 0 }
    var representative: Int { bits.trailingZeroBitCount }
    var symbols: [Int] { (0...InterestTrie.plus).filter { contains($0) } }

    func contains(_ symbol: Int) -> Bool { bits & (1 << UInt16(symbol)) != 0 }
    mutating func insert(_ symbol: Int) { bits |= 1 << UInt16(symbol) }
    mutating func formUnion(_ other: SymbolSet) { bits |= other.bits }
    func intersection(_ other: SymbolSet) -> SymbolSet { SymbolSet(bits: bits & other.bits) }
    func subtracting(_ other: SymbolSet) -> SymbolSet { SymbolSet(bits: bits & ~other.bits) }

    static func character(_ symbol: Int) -> Character {
        switch symbol {
        case 0..<10: return Character(Unicode.Scalar(UInt8(0x30 + symbol)))
        case 10: return "*"
        case 11: return "#"
        default: return "+"
        }
    }

    static func text(_ symbols: [Int]) -> String { String(symbols.map(character)) }

    /// Runs of consecutive digits (`lo`, `hi`), and each other symbol alone.
    var intervals: [(lo: Int, hi: Int)] {
        var runs: [(lo: Int, hi: Int)] = []
        for symbol in symbols {
            if symbol < 10, let last = runs.last, last.hi == symbol - 1, last.hi < 10 {
                runs[runs.count - 1].hi = symbol
            } else {
                runs.append((symbol, symbol))
            }
        }
        return runs
    }
}

/// A path of symbol sets written as `PlanDiff.Strings`.
enum Blocks {
    /// The strings of exactly `path`: ranges of same-length strings, with the free digits at the end
    /// counted up (`712` + any two digits is `71200`-`71299`).
    static func range(path: [SymbolSet], pair: DiffExplorerPair) -> [DiffExplorer.Found] {
        var full = path.count
        while full > 0, path[full - 1] == .digits { full -= 1 }
        let tail = path.count - full
        guard full > 0 else {
            let first = String(repeating: "0", count: tail)
            return [found(.range(first: first, last: String(repeating: "9", count: tail)), pair)]
        }
        var result: [DiffExplorer.Found] = []
        for head in product(path[..<(full - 1)]) {
            for run in path[full - 1].intervals {
                let first = head + [run.lo] + Array(repeating: 0, count: tail)
                let last = head + [run.hi] + Array(repeating: 9, count: tail)
                result.append(found(.range(first: SymbolSet.text(first), last: SymbolSet.text(last)), pair))
            }
        }
        return result
    }

    /// Every string longer than a string of `path` and starting with it: one block per string of the path.
    static func longer(path: [SymbolSet], pair: DiffExplorerPair) -> [DiffExplorer.Found] {
        product(path[...]).map { found(.longer(prefix: SymbolSet.text($0)), pair) }
    }

    private static func found(_ strings: PlanDiff.Strings, _ pair: DiffExplorerPair) -> DiffExplorer.Found {
        DiffExplorer.Found(strings: strings, old: pair.old, new: pair.new)
    }

    /// Every string of the sets, in symbol order.
    private static func product(_ sets: ArraySlice<SymbolSet>) -> [[Int]] {
        var strings: [[Int]] = [[]]
        for set in sets {
            strings = strings.flatMap { prefix in set.symbols.map { prefix + [$0] } }
        }
        return strings
    }
}

/// The two decisions of a set of strings, as `Blocks` reports them.
protocol DiffExplorerPair {
    var old: PlanDiff.Side { get }
    var new: PlanDiff.Side { get }
}
