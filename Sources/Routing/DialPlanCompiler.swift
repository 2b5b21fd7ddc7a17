import Config
/// Turns checked customer and group specs into a `DialPlan`, checking every rule that spans files.
enum DialPlanCompiler {
    static func compile(customers specs: [CustomerSpec], groups: [GroupSpec], log: inout DiagnosticLog) -> DialPlan {
        let groupsByID = Dictionary(groups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var members: [String: [Int]] = [:]
        for (index, spec) in specs.enumerated() {
            guard let group = spec.group else { continue }
            if groupsByID[group] == nil {
                var message = "group \"\(group)\" does not exist: there is no groups/\(group).toml"
                if let guess = Spelling.suggestion(for: group, among: groups.map(\.id)) {
                    message += "; did you mean \"\(guess)\"?"
                }
                log.error(spec.file, message)
                continue
            }
            members[group, default: []].append(index)
        }
        checkGroups(specs: specs, groupsByID: groupsByID, members: members, log: &log)
        let domainOwners = checkDomains(specs: specs, log: &log)

        var builder = PlanBuilder(log: log)
        for spec in specs {
            let inGroup = spec.group.flatMap { members[$0] } != nil
            builder.customers.append(CompiledCustomer(
                id: spec.id, name: spec.name, file: spec.file, cm: spec.cm, domains: spec.domains,
                networks: spec.networks,
                accessCode: inGroup ? spec.accessCode.map(symbols) : nil,
                accessCodeText: inGroup ? spec.accessCode : nil,
                group: inGroup ? spec.group : nil,
                root: builder.trie.makeNode(),
                extensionCount: extensionCount(spec),
                credentials: spec.credentials))
        }
        for (index, spec) in specs.enumerated() {
            builder.addOwnEntries(viewer: Int32(index), spec)
            if let group = builder.customers[index].group {
                for member in members[group] ?? [] where member != index {
                    builder.addAccessCode(viewer: Int32(index), member: Int32(member), groupFile: groupsByID[group]!.file)
                }
            }
        }
        log = builder.log
        var trie = builder.trie
        let entries = builder.entries
        let compiled = builder.customers
        trie.computeReach { entry in
            switch entries[Int(entry)].kind {
            case .extensionContact: return .extensionNumber
            case .trunk: return .trunk
            case .accessCode(let member): return compiled[Int(member)].extensionCount > 0 ? .accessCode : []
            }
        }
        let summary = PlanSummary(
            customers: specs.count, groups: groups.count,
            extensions: compiled.reduce(0) { $0 + $1.extensionCount },
            trunks: specs.reduce(0) { $0 + $1.trunks.count })
        let packed = PackedTrie(trie, roots: compiled.map(\.root), entries: entries)
        let packedCustomers = compiled.map { $0.rooted(at: packed.packedRoots[$0.root]!) }
        return DialPlan(customers: packedCustomers, domainOwners: domainOwners, packed: packed, entries: entries, summary: summary)
    }

    static func symbols(_ text: String) -> [Int] {
        text.utf8.map { DialSymbol.index(of: $0)! }
    }

    private static func extensionCount(_ spec: CustomerSpec) -> Int {
        var ranges: [(low: String, high: String)] = []
        for case .range(let low, let high) in spec.extensions.map(\.numbers) { ranges.append((low, high)) }
        var count = 0
        for ext in spec.extensions {
            switch ext.numbers {
            case .range: count += ext.size
            case .single(let number):
                // An override inside the customer's own range is already counted with the range.
                let insideRange = ranges.contains { $0.low.count == number.count && $0.low <= number && number <= $0.high }
                if !insideRange { count += 1 }
            }
        }
        return count
    }

    private static func checkGroups(
        specs: [CustomerSpec], groupsByID: [String: GroupSpec], members: [String: [Int]], log: inout DiagnosticLog
    ) {
        for (group, indices) in members.sorted(by: { $0.key < $1.key }) {
            let file = groupsByID[group]!.file
            let cms = Set(indices.map { specs[$0].cm })
            if cms.count > 1 {
                let list = indices.map { "\(specs[$0].id) (cm \(specs[$0].cm))" }.joined(separator: ", ")
                log.error(file, "group \(group) has customers on different CMs: \(list); a group lives on one call manager")
            }
            var codeOwners: [String: Int] = [:]
            for index in indices {
                guard let code = specs[index].accessCode else { continue }
                if let first = codeOwners[code] {
                    log.error(specs[index].file, "access_code \"\(code)\" is also the access code of \(specs[first].file) in group \(group)")
                } else {
                    codeOwners[code] = index
                }
            }
        }
    }

    private static func checkDomains(specs: [CustomerSpec], log: inout DiagnosticLog) -> [String: Int32] {
        var owners: [String: Int32] = [:]
        for (index, spec) in specs.enumerated() {
            for domain in spec.domains {
                if let first = owners[domain] {
                    if first != Int32(index) {
                        log.error(spec.file, "domain \"\(domain)\" is also claimed by \(specs[Int(first)].file)")
                    }
                } else {
                    owners[domain] = Int32(index)
                }
            }
        }
        return owners
    }
}
