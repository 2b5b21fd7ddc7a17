import Config

/// Turns checked customer and group specs into a `DialPlan`, checking every rule that spans files.
enum DialPlanCompiler {
    static func compile(
        customers specs: [CustomerSpec], groups: [GroupSpec], numbering numberingSpec: NumberingSpec?, log: inout DiagnosticLog
    ) -> DialPlan {
        let groupsByID = Dictionary(groups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Each group with its spec, so that nothing later looks a group up again and has to unwrap it.
        var members: [String: GroupMembers] = [:]
        for (index, spec) in specs.enumerated() {
            guard let group = spec.group else { continue }
            guard let groupSpec = groupsByID[group] else {
                var message = "group \(DiagnosticText.quoted(group)) does not exist"
                // The file name only when the id could be one (a 5,000-character value would be printed twice).
                if group.unicodeScalars.count <= DiagnosticText.maximumQuotedLength {
                    message += ": there is no groups/\(group).toml"
                }
                if let guess = Spelling.suggestion(for: group, among: groups.map(\.id)) {
                    message += "; did you mean \(DiagnosticText.quoted(guess))?"
                }
                log.error(spec.file, message)
                continue
            }
            members[group, default: GroupMembers(spec: groupSpec)].indices.append(index)
        }
        checkGroups(specs: specs, members: members, log: &log)
        let domainOwners = checkDomains(specs: specs, log: &log)
        let numbering = CompiledNumbering(numberingSpec)
        if let numberingSpec {
            EmergencyConflicts.check(specs, groups: Set(members.keys), numbering: numberingSpec, log: &log)
        }

        var builder = PlanBuilder(log: log, numbering: numbering)
        for spec in specs {
            let inGroup = spec.group.flatMap { members[$0] } != nil
            var outbound: [String: ClassAllowance] = [:]
            for entry in spec.outbound {
                let holder = "extension \(entry.number) of \(spec.name)"
                outbound[entry.number.text] = numbering.allowance(ClassAllowanceSpec(names: entry.allow), holder: holder)
            }
            builder.customers.append(
                CompiledCustomer(
                    id: spec.id, name: spec.name, file: spec.file, cm: spec.cm, domains: spec.domains,
                    networks: spec.networks,
                    accessCode: inGroup ? spec.accessCode?.symbols : nil,
                    accessCodeText: inGroup ? spec.accessCode?.text : nil,
                    group: inGroup ? spec.group : nil,
                    root: builder.trie.makeNode(),
                    extensionCount: extensionCount(spec),
                    credentials: spec.credentials, outbound: outbound))
        }
        for (index, spec) in specs.enumerated() {
            builder.addOwnEntries(viewer: Int32(index), spec)
            if let group = builder.customers[index].group, let members = members[group] {
                for member in members.indices where member != index {
                    builder.addAccessCode(viewer: Int32(index), member: Int32(member), groupFile: members.spec.file)
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
            extensions: compiled.reduce(0) { saturatingSum($0, $1.extensionCount) },
            trunks: specs.reduce(0) { $0 + $1.trunks.count },
            emergencyNumbers: numberingSpec.map { _ in numbering.emergencyNumbers.count },
            callClasses: numberingSpec.map { _ in numbering.classNames.count })
        // The packed roots come back in the order the roots were given: one per compiled customer.
        let packed = PackedTrie(trie, roots: compiled.map(\.root), entries: entries)
        let packedCustomers = zip(compiled, packed.roots).enumerated().map { index, pair in
            pair.0.rooted(at: pair.1, e164Trunk: builder.e164Trunks[index])
        }
        return DialPlan(
            customers: packedCustomers, domainOwners: domainOwners, packed: packed, entries: entries, numbering: numbering,
            emergencyGateway: numberingSpec?.emergencyGateway, summary: summary, groupIDs: groups.map(\.id).sorted())
    }

    struct GroupMembers {
        let spec: GroupSpec
        var indices: [Int] = []
    }

    /// Counts stop at Int.max instead of trapping: ranges that overlap are reported as conflicts, but
    /// are summed first, and many customers of 10^10-number ranges could otherwise overflow.
    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private static func extensionCount(_ spec: CustomerSpec) -> Int {
        // Sorted ranges, not a scan of them per extension: 100,000 of each made that 10^10 steps.
        let ranges = ExtensionNumbers(spec.extensions).ranges
        var count = 0
        for ext in spec.extensions {
            switch ext.numbers {
            case .range(let range): count = saturatingSum(count, range.size)
            case .single(let number):
                // An override inside the customer's own range is already counted with the range.
                if !ranges.contains(number) { count = saturatingSum(count, 1) }
            }
        }
        return count
    }

    private static func checkGroups(specs: [CustomerSpec], members: [String: GroupMembers], log: inout DiagnosticLog) {
        for (group, members) in members.sorted(by: { $0.key < $1.key }) {
            let file = members.spec.file
            let indices = members.indices
            let cms = Set(indices.map { specs[$0].cm })
            if cms.count > 1 {
                let list = indices.map { "\(specs[$0].id) (cm \(specs[$0].cm))" }.joined(separator: ", ")
                log.error(file, "group \(group) has customers on different CMs: \(list); a group lives on one call manager")
            }
            var codeOwners: [DialString: Int] = [:]
            for index in indices {
                guard let code = specs[index].accessCode else { continue }
                if let first = codeOwners[code] {
                    log.error(
                        specs[index].file,
                        "access_code \"\(code)\" is also the access code of \(specs[first].file) in group \(group)")
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
