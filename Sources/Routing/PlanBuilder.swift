import Config

/// Inserts each customer's dial strings into the shared trie and reports every prefix conflict with
/// both entries and their files.
struct PlanBuilder {
    var customers: [CompiledCustomer] = []
    var trie = DialTrie()
    var entries: [DialEntry] = []
    var log: DiagnosticLog
    let numbering: CompiledNumbering
    /// Per customer, the entry of its trunk with `e164 = true` (or `DialTrie.none`).
    var e164Trunks: [Int32] = []

    init(log: DiagnosticLog, numbering: CompiledNumbering) {
        self.log = log
        self.numbering = numbering
    }

    /// A customer's own ranges first (so explicit extensions can override them), then its single
    /// extensions, then its trunk codes.
    mutating func addOwnEntries(viewer: Int32, _ spec: CustomerSpec) {
        let root = customers[Int(viewer)].root
        for ext in spec.extensions {
            guard case .range(let range) = ext.numbers else { continue }
            let entry = add(DialEntry(kind: .extensionContact(ext.contact, isRange: true), owner: viewer, key: ext.key))
            for block in RangeDecomposition.blocks(range) {
                if let conflict = trie.insertBlock(root: root, prefix: block.prefix, width: block.width, entry: entry) {
                    report(conflict, newEntry: entry, viewer: viewer)
                    break
                }
            }
        }
        for ext in spec.extensions {
            guard case .single(let number) = ext.numbers else { continue }
            let entry = add(DialEntry(kind: .extensionContact(ext.contact, isRange: false), owner: viewer, key: ext.key))
            insertExact(number.symbols, entry: entry, viewer: viewer)
        }
        var e164Trunk = DialTrie.none
        for trunk in spec.trunks {
            let allowance = numbering.allowance(trunk.allow, holder: "trunk \(trunk.code) of \(spec.name)")
            let entry = add(DialEntry(kind: .trunk(trunk.gateway, allowance), owner: viewer, key: trunk.code.text))
            insertExact(trunk.code.symbols, entry: entry, viewer: viewer)
            if trunk.e164 { e164Trunk = entry }
        }
        e164Trunks.append(e164Trunk)
    }

    mutating func addAccessCode(viewer: Int32, member: Int32, groupFile: String) {
        let customer = customers[Int(member)]
        guard let code = customer.accessCodeText, let symbols = customer.accessCode else { return }
        let entry = add(DialEntry(kind: .accessCode(member: member), owner: member, key: code))
        insertExact(symbols, entry: entry, viewer: viewer, groupFile: groupFile)
    }

    private mutating func add(_ entry: DialEntry) -> Int32 {
        entries.append(entry)
        return Int32(entries.count - 1)
    }

    private mutating func insertExact(_ symbols: [Int], entry: Int32, viewer: Int32, groupFile: String? = nil) {
        let conflict = trie.insertExact(root: customers[Int(viewer)].root, symbols: symbols, entry: entry) { range in
            // Only the customer's own explicit extension may override its own range.
            guard case .extensionContact(_, false) = entries[Int(entry)].kind else { return false }
            return entries[Int(range)].owner == viewer
        }
        guard let conflict else { return }
        // Two equal access codes are already reported by the group check; a prefix relation between
        // two access codes is a group matter, reported once against the group file.
        if case .accessCode = entries[Int(conflict.other)].kind, let groupFile {
            if conflict.relation != .same { report(conflict, newEntry: entry, viewer: viewer, file: groupFile) }
            return
        }
        report(conflict, newEntry: entry, viewer: viewer)
    }

    private mutating func report(_ conflict: DialTrie.Conflict, newEntry: Int32, viewer: Int32, file: String? = nil) {
        let new = entries[Int(newEntry)].label(customers: customers)
        let other = entries[Int(conflict.other)].label(customers: customers)
        let viewerCustomer = customers[Int(viewer)]
        let detail: String
        switch conflict.relation {
        case .same: detail = "\(new) and \(other) are the same number"
        case .newIsPrefix: detail = "\(new) is a prefix of \(other)"
        case .otherIsPrefix: detail = "\(other) is a prefix of \(new)"
        case .overlap: detail = "\(new) overlaps \(other)"
        }
        let scope = file == nil ? "in what customer \(viewerCustomer.id) can dial, " : "in group dialling, "
        log.error(file ?? viewerCustomer.file, "\(scope)\(detail)")
    }
}
