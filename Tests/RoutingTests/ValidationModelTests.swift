// Random configurations with and without prefix conflicts: the loader must accept exactly those that a
// plain pairwise reading of the rule ("no string may equal or be a prefix of another") accepts.
import Testing

@testable import Config
@testable import Routing

private struct Entries {
    var singles: [String] = []
    var ranges: [(low: String, high: String)] = []
    var trunks: [String] = []

    func expanded(_ range: (low: String, high: String)) -> [String] {
        (Int(range.low)!...Int(range.high)!).map { value in
            let text = String(value)
            return String(repeating: "0", count: range.low.count - text.count) + text
        }
    }
}

private enum Kind: Equatable { case single, rangeMember(Int), trunk, accessCode(Int) }

/// True when some dial string of the caller equals or is a prefix of another, the override of a number
/// of one of the caller's own ranges by one of its single extensions excepted.
private func hasConflict(_ own: Entries, otherCodes: [String]) -> Bool {
    var items: [(String, Kind)] = own.singles.map { ($0, .single) } + own.trunks.map { ($0, .trunk) }
    for (index, range) in own.ranges.enumerated() { items += own.expanded(range).map { ($0, .rangeMember(index)) } }
    items += otherCodes.enumerated().map { ($0.element, .accessCode($0.offset)) }
    var byString: [String: [Kind]] = [:]
    for (string, kind) in items { byString[string, default: []].append(kind) }
    for (string, kinds) in byString {
        if kinds.count > 1 {
            let ranges = kinds.filter { if case .rangeMember = $0 { return true } else { return false } }
            let isOverride = kinds.count == 2 && kinds.contains(.single) && ranges.count == 1
            if !isOverride { return true }
        }
        for length in 1..<max(1, string.count) where byString[String(string.prefix(length))] != nil {
            return true
        }
    }
    return false
}

/// A group of three members with random extensions, ranges, overrides, trunks and access codes (some
/// of them prefixes of each other), and whether the pairwise reading of the rule finds a conflict.
private func scenario(seed: UInt64) -> (files: [String: String], expectConflict: Bool) {
    var random = SeededRandom(state: seed &* 7919)
    func pick(_ characters: String) -> Character { characters.randomElement(using: &random)! }
    func string(_ length: Int, _ alphabet: String) -> String { String((0..<length).map { _ in pick(alphabet) }) }

    let codes = ["30", "31", "41", "52", "3", "60", "61", "7"].shuffled(using: &random)
    let memberCount = 3
    var entries: [Entries] = []
    for _ in 0..<memberCount {
        var e = Entries()
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let width = Int.random(in: 2...3, using: &random)
            let low = string(width, "0123456789")
            let top = min(Int(low)! + Int.random(in: 0...40, using: &random), Int(String(repeating: "9", count: width))!)
            let high = String(repeating: "0", count: width - String(top).count) + String(top)
            if !e.ranges.contains(where: { $0 == (low, high) }) { e.ranges.append((low, high)) }
        }
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let single = string(Int.random(in: 2...4, using: &random), "0134*")
            if !e.singles.contains(single) { e.singles.append(single) }
        }
        if Bool.random(using: &random), let range = e.ranges.first, let number = e.expanded(range).randomElement(using: &random),
            !e.singles.contains(number)
        {
            e.singles.append(number)  // an override
        }
        for _ in 0..<Int.random(in: 0...1, using: &random) {
            let trunk = string(Int.random(in: 1...2, using: &random), "0*")
            if !e.trunks.contains(trunk) { e.trunks.append(trunk) }
        }
        entries.append(e)
    }
    // Three members with distinct codes; codes of the two others are in each member's dial strings.
    let memberCodes = Array(codes.prefix(memberCount))
    let codesOk = !memberCodes.enumerated().contains { i, a in
        memberCodes.enumerated().contains { j, b in i != j && b.hasPrefix(a) }
    }
    var expectConflict = false
    for index in 0..<memberCount {
        let others = memberCodes.enumerated().filter { $0.offset != index }.map(\.element)
        if hasConflict(entries[index], otherCodes: others) { expectConflict = true }
    }
    if !codesOk { expectConflict = true }  // with three members, some member sees both codes

    var files = ["groups/g.toml": "name = \"G\"\n"]
    for (index, e) in entries.enumerated() {
        var text =
            "name = \"C\(index)\"\ncm = 1\ndomains = [\"c\(index).example\"]\ngroup = \"g\"\naccess_code = \"\(memberCodes[index])\"\n[extensions]\n"
        for single in e.singles { text += "\"\(single)\" = \"sip:s@h.example\"\n" }
        for range in e.ranges { text += "\"\(range.low)-\(range.high)\" = \"sip:{ext}@h.example\"\n" }
        for trunk in e.trunks { text += "[trunks.\"\(trunk)\"]\ngateway = \"sip:{number}@gw.example\"\n" }
        files["customers/c\(index).toml"] = text
    }
    return (files, expectConflict)
}

@Suite("Validation: random prefix conflicts against a pairwise reading of the rule")
struct ValidationModelTests {
    static let seeds = Array(UInt64(1)...UInt64(250))

    @Test("the loader rejects a configuration exactly when some customer's dial strings conflict", arguments: seeds)
    func randomConflicts(_ seed: UInt64) throws {
        let (files, expectConflict) = scenario(seed: seed)
        let diagnostics = try diagnostics(of: files)
        #expect(
            diagnostics.isEmpty == !expectConflict,
            "seed \(seed), conflict expected: \(expectConflict)\n\(diagnostics)\n\(files.sorted { $0.key < $1.key }.map { "# \($0.key)\n\($0.value)" }.joined(separator: "\n"))"
        )
        // Conflicts are the only problems in these files.
        #expect(diagnostics.allSatisfy { $0.contains("in what customer") || $0.contains("in group dialling") })
    }

    @Test("the random cases include both valid and conflicting configurations")
    func bothOutcomesOccur() {
        let outcomes = Self.seeds.map { scenario(seed: $0).expectConflict }
        #expect(outcomes.filter { $0 }.count >= 25)
        #expect(outcomes.filter { !$0 }.count >= 25)
    }
}
