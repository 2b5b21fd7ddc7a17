// Random conflict-free configurations, every short dial string of every caller, compared with a
// direct, unoptimised reading of routing rules 1-5 (no trie, ranges expanded, prefixes enumerated),
// with emergency numbers, call classes, [outbound] and E.164 numbers on half of them (issue 12).
import Testing

@testable import Config
@testable import Routing

/// One generated customer; numbers and trunk codes never start with "3", access codes are "3x",
/// so that what a customer dials directly and the access codes never overlap.
struct ModelCustomer {
    let id: String
    let cm: Int
    let group: String?
    let accessCode: String?
    var singles: [(key: String, contact: String)] = []
    var ranges: [(low: String, high: String, template: String)] = []
    var trunks: [(code: String, template: String, allow: [String]?)] = []
    /// The index in `trunks` of the trunk with e164 = true.
    var e164Trunk: Int?
    var outbound: [(ext: String, allow: [String])] = []

    var domain: String { "\(id).example" }

    /// Rule 1 for this customer: the contact of extension `number`, an explicit one before a range.
    func contact(of number: String) -> String? {
        if let single = singles.first(where: { $0.key == number }) { return single.contact }
        guard number.allSatisfy(\.isASCIIDigit) else { return nil }
        for range in ranges where range.low.count == number.count && range.low <= number && number <= range.high {
            return range.template.replacingOccurrences(of: "{ext}", with: number)
        }
        return nil
    }

    /// Every extension number, ranges expanded.
    var numbers: [String] {
        var result = singles.map(\.key)
        for range in ranges {
            for value in Int(range.low)!...Int(range.high)! {
                let text = String(value)
                result.append(String(repeating: "0", count: range.low.count - text.count) + text)
            }
        }
        return result
    }

    var toml: String {
        var text = "name = \"\(id.uppercased())\"\ncm = \(cm)\ndomains = [\"\(domain)\"]\n"
        if let group { text += "group = \"\(group)\"\n" }
        if let accessCode { text += "access_code = \"\(accessCode)\"\n" }
        text += "[extensions]\n"
        for single in singles { text += "\"\(single.key)\" = \"\(single.contact)\"\n" }
        for range in ranges { text += "\"\(range.low)-\(range.high)\" = \"\(range.template)\"\n" }
        for (index, trunk) in trunks.enumerated() {
            text += "[trunks.\"\(trunk.code)\"]\ngateway = \"\(trunk.template)\"\n"
            if let allow = trunk.allow { text += "allow = [\(allow.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            if index == e164Trunk { text += "e164 = true\n" }
        }
        for entry in outbound {
            text += "[outbound.\"\(entry.ext)\"]\nallow = [\(entry.allow.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        }
        return text
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// numbering.toml, read plainly: country code 23 (so that +2 and +24 are partial and other codes),
/// national prefix 0.
struct ModelNumbering {
    var emergency: [String] = []
    var classes: [(name: String, prefixes: [String])] = []

    static let countryCode = "23"
    static let nationalPrefix = "0"
    static let gateway = "sos.example"

    var toml: String {
        var text = "country_code = \"\(Self.countryCode)\"\nnational_prefix = \"\(Self.nationalPrefix)\"\n[emergency]\n"
        text += "numbers = [\(emergency.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        text += "gateway = \"sip:{number}@\(Self.gateway)\"\n[classes]\n"
        for entry in classes { text += "\(entry.name) = [\(entry.prefixes.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
        return text
    }

    /// The class of its longest matching prefix, else local.
    func classOf(_ number: String) -> String {
        var best: (name: String, length: Int) = ("local", 0)
        for entry in classes {
            for prefix in entry.prefixes where number.hasPrefix(prefix) && prefix.count > best.length {
                best = (entry.name, prefix.count)
            }
        }
        return best.name
    }

    /// Without allow: every class but international and premium.
    var defaultAllow: [String] {
        (["local", "international"] + classes.map(\.name)).filter { $0 != "international" && $0 != "premium" }
    }
}

/// The rules as the issues state them, for caller `caller` among `customers`.
private struct ModelPlan {
    let customers: [ModelCustomer]
    var numbering = ModelNumbering()

    func members(of caller: ModelCustomer) -> [ModelCustomer] {
        guard let group = caller.group else { return [] }
        return customers.filter { $0.group == group }
    }

    func emergency(_ number: String) -> String { "302 sip:\(number)@\(ModelNumbering.gateway)" }

    /// Whether `user` of `caller` may call `number`'s class over `trunk`: its [outbound], else the trunk's.
    func allows(
        _ caller: ModelCustomer, user: String?, trunk: (code: String, template: String, allow: [String]?), _ number: String
    )
        -> Bool
    {
        let allow = caller.outbound.first { $0.ext == user }?.allow ?? trunk.allow ?? numbering.defaultAllow
        return allow.contains(numbering.classOf(number))
    }

    /// Rules 1-3 without the own access code: "302 contact", "403", "403B" (class barred), or nil.
    func decisive(_ dialled: String, _ caller: ModelCustomer, user: String?) -> String? {
        if let contact = caller.contact(of: dialled) { return "302 \(contact)" }
        for trunk in caller.trunks where dialled.hasPrefix(trunk.code) && dialled.count > trunk.code.count {
            let number = String(dialled.dropFirst(trunk.code.count))
            if numbering.emergency.contains(number) { return emergency(number) }
            guard allows(caller, user: user, trunk: trunk, number) else { return "403B" }
            return "302 " + trunk.template.replacingOccurrences(of: "{number}", with: number)
        }
        for member in members(of: caller) where member.id != caller.id {
            guard let code = member.accessCode, dialled.hasPrefix(code) else { continue }
            let rest = String(dialled.dropFirst(code.count))
            if let contact = member.contact(of: rest) { return "302 \(contact)" }
            if member.trunks.contains(where: { rest.hasPrefix($0.code) }) { return "403" }
        }
        return nil
    }

    /// Strings that redirect (finite part) and trunk prefixes (anything longer after them redirects).
    static func properPrefixes(_ strings: Set<String>) -> Set<String> {
        var result: Set<String> = []
        for string in strings {
            for length in 0..<string.count { result.insert(String(string.prefix(length))) }
        }
        return result
    }

    func redirectTargets(_ caller: ModelCustomer) -> (exact: Set<String>, open: [String]) {
        var exact = caller.numbers
        var open = caller.trunks.map(\.code)
        for member in members(of: caller) where member.id != caller.id {
            guard let code = member.accessCode else { continue }
            exact += member.numbers.map { code + $0 }
        }
        return (Set(exact), open)
    }

    /// `targets` is `redirectTargets(caller)`, computed once per caller.
    /// The own access code is transparent: what follows it is routed as if dialled alone, so the
    /// rules apply again to the rest (71 + 71 + 201 is 201).
    func route(
        _ dialled: String, _ caller: ModelCustomer, user: String?, targets: (exact: Set<String>, open: [String]),
        prefixes: Set<String>
    ) -> String {
        if dialled.hasPrefix("+") {
            // "+" and at least one digit, over the caller's e164 trunk.
            let digits = String(dialled.dropFirst())
            guard !digits.isEmpty, let index = caller.e164Trunk else { return "404" }
            let trunk = caller.trunks[index]
            // With the own country code: the national reading; else international.
            let national =
                digits.hasPrefix(ModelNumbering.countryCode)
                ? ModelNumbering.nationalPrefix + digits.dropFirst(ModelNumbering.countryCode.count) : nil
            let allow = caller.outbound.first { $0.ext == user }?.allow ?? trunk.allow ?? numbering.defaultAllow
            guard allow.contains(national.map(numbering.classOf) ?? "international") else { return "403B" }
            return "302 " + trunk.template.replacingOccurrences(of: "{number}", with: dialled)
        }
        var current = dialled
        var incomplete = false
        while true {
            if numbering.emergency.contains(current) { return emergency(current) }
            if numbering.emergency.contains(where: { $0.count > current.count && $0.hasPrefix(current) }) { incomplete = true }
            if let decision = decisive(current, caller, user: user) { return decision }
            incomplete =
                incomplete || prefixes.contains(current)
                || targets.open.contains { $0.count >= current.count && $0.hasPrefix(current) }
            guard let own = caller.accessCode, caller.group != nil else { break }
            if current.hasPrefix(own) {
                current = String(current.dropFirst(own.count))
            } else {
                // A proper prefix of the own code leads on to everything the caller can reach.
                if own.hasPrefix(current), !(targets.exact.isEmpty && targets.open.isEmpty && numbering.emergency.isEmpty) {
                    incomplete = true
                }
                break
            }
        }
        return incomplete ? "484" : "404"
    }
}

func generate(seed: UInt64) -> (customers: [ModelCustomer], numbering: ModelNumbering?) {
    var random = SeededRandom(state: seed)
    func pick(_ characters: String) -> Character { characters.randomElement(using: &random)! }
    func string(length: Int, first: String, rest: String) -> String {
        String((0..<length).map { $0 == 0 ? pick(first) : pick(rest) })
    }

    let layout: [(group: String?, cm: Int)] = [("g0", 1), ("g0", 1), ("g0", 1), ("g1", 1), ("g1", 1), (nil, 1), (nil, 2)]
    var codesUsed: [String: Set<String>] = [:]
    var customers: [ModelCustomer] = []
    for (index, place) in layout.enumerated() {
        var code: String?
        if let group = place.group {
            repeat { code = "3" + String(pick("0123")) } while codesUsed[group, default: []].contains(code!)
            codesUsed[group, default: []].insert(code!)
        }
        var customer = ModelCustomer(id: "c\(index)", cm: place.cm, group: place.group, accessCode: code)
        // Candidate entries, kept only while the customer's own dial strings stay prefix-free.
        var taken: [String] = []
        func fits(_ strings: [String]) -> Bool {
            strings.allSatisfy { new in !taken.contains { $0.hasPrefix(new) || new.hasPrefix($0) } }
        }
        for attempt in 0..<6 {
            let width = Int.random(in: 1...3, using: &random)
            var low = string(length: width, first: "012", rest: "0123456789")
            var high = string(length: width, first: "012", rest: "0123456789")
            if low > high { swap(&low, &high) }
            let range = (low: low, high: high, template: "sip:{ext}@r\(index)x\(attempt).example")
            let expanded = (Int(low)!...Int(high)!).map { value -> String in
                let text = String(value)
                return String(repeating: "0", count: width - text.count) + text
            }
            if customer.ranges.count < 2, fits(expanded) {
                customer.ranges.append(range)
                taken += expanded
                // Sometimes override one number of the new range.
                if Bool.random(using: &random), let number = expanded.randomElement(using: &random) {
                    customer.singles.append((number, "sip:override\(index)x\(attempt)@h.example"))
                }
            }
            let single = string(length: Int.random(in: 1...4, using: &random), first: "012*", rest: "0123*#")
            if customer.singles.count < 4, fits([single]) {
                customer.singles.append((single, "sip:s\(index)x\(attempt)@h.example"))
                taken.append(single)
            }
            let trunk = string(length: Int.random(in: 1...2, using: &random), first: "012*", rest: "0123*")
            if customer.trunks.count < 2, fits([trunk]) {
                let allow: [String]? =
                    Bool.random(using: &random) ? nil : classUniverse.filter { _ in Bool.random(using: &random) }
                customer.trunks.append((trunk, "sip:{number}@t\(index)x\(attempt).example", allow))
                taken.append(trunk)
            }
        }
        if !customer.trunks.isEmpty, Bool.random(using: &random) {
            customer.e164Trunk = Int.random(in: 0..<customer.trunks.count, using: &random)
        }
        if let single = customer.singles.randomElement(using: &random), Bool.random(using: &random) {
            customer.outbound = [(single.key, classUniverse.filter { _ in Bool.random(using: &random) })]
        }
        customers.append(customer)
    }
    // numbering.toml on even seeds: classes by random prefixes, emergency numbers that no extension or
    // access code is prefix-related to (trunk codes may be).
    guard seed % 2 == 0 else {
        for index in customers.indices {
            customers[index].e164Trunk = nil
            customers[index].outbound = []
            for trunk in customers[index].trunks.indices { customers[index].trunks[trunk].allow = nil }
        }
        return (customers, nil)
    }
    var numbering = ModelNumbering()
    var prefixesUsed: Set<String> = []
    for name in ["international", "mobile", "premium"] {
        var prefixes: [String] = []
        for _ in 0..<2 {
            let prefix = string(length: Int.random(in: 1...2, using: &random), first: "0123*", rest: "0123*")
            if prefixesUsed.insert(prefix).inserted { prefixes.append(prefix) }
        }
        numbering.classes.append((name, prefixes))
    }
    let reserved = customers.flatMap { customer in customer.numbers + (customer.group == nil ? [] : [customer.accessCode ?? ""]) }
    for _ in 0..<8 where numbering.emergency.count < 2 {
        let number = string(length: Int.random(in: 2...3, using: &random), first: "0123*#", rest: "0123*#")
        let related = { (other: String) in other.hasPrefix(number) || number.hasPrefix(other) }
        if !reserved.contains(where: related), !numbering.emergency.contains(where: related) {
            numbering.emergency.append(number)
        }
    }
    return (customers, numbering)
}

/// The classes a generated trunk or extension may allow.
let classUniverse = ["local", "international", "mobile", "premium"]

/// Every string over `alphabet` of length 0 through `maxLength`.
func allStrings(over alphabet: [Character], maxLength: Int) -> [String] {
    var result = [""]
    var level = [""]
    for _ in 0..<maxLength {
        level = level.flatMap { prefix in alphabet.map { prefix + String($0) } }
        result += level
    }
    return result
}

@Suite("Routing: random plans against a plain reading of the rules")
struct RoutingModelTests {
    static let dialStrings =
        allStrings(over: ["0", "1", "2", "3", "*", "#"], maxLength: 5).filter { !$0.isEmpty }
        + allStrings(over: ["0", "1", "2", "3"], maxLength: 4).map { "+" + $0 }

    @Test("every dial string of length 1-5, every caller, status and contact", arguments: Array(UInt64(1)...UInt64(12)))
    func randomPlans(_ seed: UInt64) throws {
        let (customers, numbering) = generate(seed: seed)
        var files = ["groups/g0.toml": "name = \"G0\"\n", "groups/g1.toml": "name = \"G1\"\n"]
        for customer in customers { files["customers/\(customer.id).toml"] = customer.toml }
        if let numbering { files["numbering.toml"] = numbering.toml }
        let plan: DialPlan
        switch try loadPlan(files) {
        case .success(let loaded): plan = loaded
        case .failure(let error):
            Issue.record("a conflict-free configuration (seed \(seed)) was rejected:\n\(error)\n\(files)")
            return
        }
        let model = ModelPlan(customers: customers, numbering: numbering ?? ModelNumbering())
        var mismatches: [String] = []
        var statuses: [String: Int] = [:]
        for caller in customers {
            let targets = model.redirectTargets(caller)
            let prefixes = ModelPlan.properPrefixes(targets.exact)
            let caller = plan.caller(fromHost: caller.domain).map { ($0, caller) }
            guard let (identified, caller) = caller else { continue }
            for user in [nil] + caller.outbound.map(\.ext) {
                for dialled in Self.dialStrings {
                    let decision = plan.dial(dialled, as: identified, fromUser: user)
                    let actual =
                        decision.status == 302
                        ? "302 \(decision.contact ?? "")"
                        : decision.outcome == .forbidden(.callClassBarred) ? "403B" : "\(decision.status)"
                    let expected = model.route(
                        dialled, caller, user: user, targets: (targets.exact, targets.open), prefixes: prefixes)
                    statuses[String(expected.prefix(4)).trimmingCharacters(in: .whitespaces), default: 0] += 1
                    if expected.hasSuffix("@\(ModelNumbering.gateway)") { statuses["emergency", default: 0] += 1 }
                    if actual != expected, mismatches.count < 20 {
                        mismatches.append(
                            "\(caller.id) (\(user ?? "-")) dials \(dialled): \(actual) (\(decision.reason)), expected \(expected)"
                        )
                    }
                }
            }
        }
        // Every kind of decision occurs, so the comparison means something.
        #expect(Set(statuses.keys).isSuperset(of: ["302", "403", "404", "484"]), "seed \(seed): \(statuses)")
        if let numbering {
            #expect(statuses["403B", default: 0] > 0, "seed \(seed): \(statuses)")
            #expect(numbering.emergency.isEmpty || statuses["emergency", default: 0] > 0, "seed \(seed): \(statuses)")
        }
        #expect(
            mismatches == [],
            "seed \(seed):\n\(customers.map(\.toml).joined(separator: "\n"))\n\(numbering?.toml ?? "no numbering.toml")")
    }
}
