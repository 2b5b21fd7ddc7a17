// `DialPlan.diff` against brute force: for random pairs of plans, every dial string up to length 6 of
// every caller (and every calling extension with [outbound]) is dialled in both, and the blocks must
// say exactly which strings changed, and how.
import Testing

@testable import Config
@testable import Routing

/// The generator's files for `seed` (RoutingModelTests' random plans).
private func files(seed: UInt64) -> [String: String] {
    let (customers, numbering) = generate(seed: seed)
    var files = ["groups/g0.toml": "name = \"G0\"\n", "groups/g1.toml": "name = \"G1\"\n"]
    for customer in customers { files["customers/\(customer.id).toml"] = customer.toml }
    if let numbering { files["numbering.toml"] = numbering.toml }
    return files
}

/// Small edits an admin makes: a contact, a range, an access code, a class, an emergency number, a
/// customer gone; each kept only when the result still loads.
private func edited(_ original: [String: String], seed: UInt64) -> [String: String] {
    var random = SeededRandom(state: seed &* 7919)
    var files = original
    let edits: [(inout [String: String]) -> Void] = [
        { $0["customers/c1.toml"] = $0["customers/c1.toml"]?.replacingOccurrences(of: "@r1x", with: "@moved-r1x") },
        {
            $0["customers/c0.toml"] = $0["customers/c0.toml"]?.replacingOccurrences(
                of: "access_code = \"3", with: "access_code = \"2")
        },
        { $0["customers/c2.toml"] = $0["customers/c2.toml"]?.replacingOccurrences(of: "t2x", with: "t9x") },
        { $0["customers/c3.toml"] = nil },
        { $0["numbering.toml"] = $0["numbering.toml"]?.replacingOccurrences(of: "premium = [", with: "premium = [\"9\", ") },
        {
            $0["customers/c4.toml"] = $0["customers/c4.toml"].map {
                $0 + "\n[trunks.\"#9\"]\ngateway = \"sip:{number}@new.example\"\n"
            }
        },
        {
            $0["customers/c1.toml"] = $0["customers/c1.toml"]?.replacingOccurrences(of: "allow = [", with: "allow = [\"local\", ")
        },
    ]
    for edit in edits where Bool.random(using: &random) {
        var candidate = files
        edit(&candidate)
        if case .success = try? loadPlan(candidate) { files = candidate }
    }
    return files
}

private let alphabet: [Character] = ["0", "1", "2", "3", "9", "*", "#"]
/// 1-6 symbols of the alphabet, and + with 1-5 digits.
private let dialStrings: [String] =
    allStrings(over: alphabet, maxLength: 6).filter { !$0.isEmpty }
    + allStrings(over: ["0", "1", "2", "3", "9"], maxLength: 5).map { "+" + $0 }

/// The blocks of one caller and calling extension, found by string.
private struct BlockIndex {
    /// First-differing-position head → the range blocks starting with it.
    var ranges: [String: [PlanDiff.Change]] = [:]
    var longer: [String: [PlanDiff.Change]] = [:]

    init(_ changes: [PlanDiff.Change]) {
        for change in changes {
            switch change.strings {
            case .range(let first, let last):
                let head = String(zip(first, last).prefix { $0 == $1 }.map(\.0))
                ranges[head, default: []].append(change)
            case .longer(let prefix):
                longer[prefix, default: []].append(change)
            }
        }
    }

    /// Every block whose strings include `dialled`. A range differs from its first to its last string
    /// at one position, digits there, and has only digits after it.
    func covering(_ dialled: String) -> [PlanDiff.Change] {
        let symbols = Array(dialled)
        var result: [PlanDiff.Change] = []
        for length in 0...symbols.count {
            let head = String(symbols[..<length])
            if length < symbols.count { result += longer[head] ?? [] }
            for change in ranges[head] ?? [] {
                guard case .range(let first, let last) = change.strings, first.count == symbols.count else { continue }
                if first == last {
                    if first == dialled { result.append(change) }
                    continue
                }
                guard length < symbols.count else { continue }
                let (low, high, symbol) = (Array(first)[length], Array(last)[length], symbols[length])
                if symbol.isNumber, low <= symbol, symbol <= high, symbols[(length + 1)...].allSatisfy(\.isNumber) {
                    result.append(change)
                }
            }
        }
        return result
    }
}

@Suite("PlanDiff: random pairs of plans against every dial string up to length 6")
struct PlanDiffModelTests {
    @Test(
        "the blocks cover exactly the strings whose decision changed, with both decisions",
        arguments: [(UInt64(2), UInt64(2)), (7, 7), (2, 3), (6, 8)])
    func bruteForce(_ seeds: (old: UInt64, new: UInt64)) throws {
        let oldFiles = files(seed: seeds.old)
        let newFiles = seeds.old == seeds.new ? edited(oldFiles, seed: seeds.old) : files(seed: seeds.new)
        let old = try loadPlan(oldFiles).get()
        let new = try loadPlan(newFiles).get()
        let diff = DialPlan.diff(old, new)
        #expect(Set(diff.customersRemoved) == Set(old.customerIDs).subtracting(new.customerIDs))
        var problems: [String] = []
        var changed = 0
        for (newIndex, customer) in new.customers.enumerated() {
            guard let oldIndex = old.customers.firstIndex(where: { $0.id == customer.id }) else { continue }
            let callers = (old: Int32(oldIndex), new: Int32(newIndex))
            let users =
                [nil] + Set(old.customers[oldIndex].outbound.keys).union(customer.outbound.keys).sorted().map { Optional($0) }
            let generic = BlockIndex(diff.changes.filter { $0.customerID == customer.id && $0.callerExtension == nil })
            for user in users {
                // Without a user: the customer's blocks; for an [outbound] extension: its own blocks,
                // exactly where its pair of decisions is not the customer's other phones' pair.
                let own = BlockIndex(diff.changes.filter { $0.customerID == customer.id && $0.callerExtension == user })
                for dialled in dialStrings where problems.count < 10 {
                    let sides = (
                        old: DiffExplorer.side(old, caller: callers.old, dialled: dialled, fromUser: user),
                        new: DiffExplorer.side(new, caller: callers.new, dialled: dialled, fromUser: user)
                    )
                    let baseline =
                        user == nil
                        ? nil
                        : [
                            DiffExplorer.side(old, caller: callers.old, dialled: dialled, fromUser: nil),
                            DiffExplorer.side(new, caller: callers.new, dialled: dialled, fromUser: nil),
                        ]
                    let blocks = own.covering(dialled)
                    let label = "\(customer.id) (\(user ?? "-")) \(dialled): \(sides.old) → \(sides.new)"
                    for block in blocks
                    where !matches(block.old, old, callers.old, dialled, user, sides.old)
                        || !matches(block.new, new, callers.new, dialled, user, sides.new)
                    {
                        problems.append("\(label), but the block \(block.strings) says \(block.old) → \(block.new)")
                    }
                    let reported =
                        baseline.map { (sides.old != sides.new || $0[0] != $0[1]) && $0 != [sides.old, sides.new] }
                        ?? (sides.old != sides.new)
                    guard reported else { continue }
                    changed += 1
                    // A customer's block saying "as dialled without the own access code" holds for the
                    // extension as it stands (its decisions past the code are its own).
                    let genericHolds = generic.covering(dialled).contains { block in
                        matches(block.old, old, callers.old, dialled, user, sides.old)
                            && matches(block.new, new, callers.new, dialled, user, sides.new)
                    }
                    if blocks.isEmpty, user == nil || !genericHolds,
                        !mirrored(old, callers.old, new, callers.new, dialled, user, covered: { own.covering($0) })
                    {
                        problems.append("\(label): no block says so (baseline \(baseline.map { "\($0)" } ?? "-"))")
                    }
                }
            }
        }
        #expect(problems == [], "seeds \(seeds)")
        // The pair must differ somewhere, or the test proves nothing.
        #expect(changed > 0 && !diff.changes.isEmpty, "seeds \(seeds)")
    }
}

/// Whether a block's side describes `actual`, the decision of `dialled`.
private func matches(
    _ side: PlanDiff.Side, _ plan: DialPlan, _ caller: Int32, _ dialled: String, _ user: String?, _ actual: PlanDiff.Side
) -> Bool {
    guard let code = side.transparentAccessCode else { return side == actual }
    guard dialled.hasPrefix(code), dialled.count > code.count else { return false }
    let without = DiffExplorer.side(plan, caller: caller, dialled: String(dialled.dropFirst(code.count)), fromUser: user)
    return actual == shifted(without, by: code.count)
}

private func shifted(_ side: PlanDiff.Side, by count: Int) -> PlanDiff.Side {
    let template: String? = if case .redirect(let contact) = side.outcome { contact } else { nil }
    let moves = template?.contains("{") == true || side.extensionOf != nil
    return PlanDiff.Side(
        outcome: side.outcome, transparentAccessCode: nil, extensionOf: side.extensionOf,
        numberStart: moves ? side.numberStart + count : side.numberStart)
}

/// A string that starts with the caller's own access code (the same in both plans), which both plans
/// route as the string without it: its change is the shorter string's, which must be covered.
private func mirrored(
    _ old: DialPlan, _ oldCaller: Int32, _ new: DialPlan, _ newCaller: Int32, _ dialled: String, _ user: String?,
    covered: (String) -> [PlanDiff.Change]
) -> Bool {
    guard let code = old.customers[Int(oldCaller)].accessCodeText, code == new.customers[Int(newCaller)].accessCodeText,
        dialled.hasPrefix(code), dialled.count > code.count
    else { return false }
    let rest = String(dialled.dropFirst(code.count))
    for (plan, caller) in [(old, oldCaller), (new, newCaller)] {
        let whole = DiffExplorer.side(plan, caller: caller, dialled: dialled, fromUser: user)
        let without = DiffExplorer.side(plan, caller: caller, dialled: rest, fromUser: user)
        guard whole == shifted(without, by: code.count) else { return false }
    }
    return !covered(rest).isEmpty
        || mirrored(old, oldCaller, new, newCaller, rest, user, covered: covered)
}
