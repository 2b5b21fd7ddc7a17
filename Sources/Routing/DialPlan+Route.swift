import Config
/// The routing rules of a customer group dial plan (see README "Routing rules").
extension DialPlan {
    public func route(_ call: CallRequest) -> Decision {
        // Untrusted callers are challenged whether or not the domain exists, in the realm the caller
        // named: the answer tells a scanner nothing about which domains, extensions or numbers exist.
        guard let callerIndex = domainOwners[Self.lowercasedHost(call.fromHost)] else {
            return Decision(
                outcome: .unauthenticated(realm: Self.lowercasedHost(call.fromHost)), callerID: nil,
                explanation: .unknownCaller(host: call.fromHost))
        }
        let caller = customers[Int(callerIndex)]
        let fromNetwork = call.source.map { source in caller.networks.contains { $0.contains(source) } } ?? false
        guard fromNetwork || call.authenticated else {
            return Decision(
                outcome: .unauthenticated(realm: caller.realm), callerID: nil,
                explanation: .untrusted(customer: caller.name, source: call.source?.description))
        }
        if let host = call.requestURIHost, let owner = domainOwners[Self.lowercasedHost(host)], owner != callerIndex {
            return Decision(
                outcome: .forbidden(.foreignDomain), callerID: caller.id,
                explanation: .foreignDomain(host: host, owner: customers[Int(owner)].name, customer: caller.name))
        }
        return dial(call.dialled, caller: callerIndex)
    }

    /// Rules 1-5 for a caller already identified.
    func dial(_ dialled: String, caller callerIndex: Int32) -> Decision {
        let caller = customers[Int(callerIndex)]
        var contiguous = dialled
        return contiguous.withUTF8 { bytes -> Decision in
            guard bytes.allSatisfy({ DialSymbol.index(of: $0) != nil }) else {
                return Decision(outcome: .notFound, callerID: caller.id, explanation: .notDialable(dialled: dialled))
            }
            var incomplete = false
            var offset = 0
            // The caller's own access code is transparent: 71+201 from Acme (71) is Acme's 201, and what
            // follows the code is routed as if dialled alone (so 71+71+201 too).
            while true {
                let match = lookup(bytes, from: offset, root: caller.root, asMember: nil)
                if match.isDecisive { return decide(match, dialled: dialled, caller: caller) }
                incomplete = incomplete || match.isIncomplete
                guard let own = caller.accessCode else { break }
                let rest = bytes.count - offset
                let matchesCode = zip(bytes[offset...], own).allSatisfy { DialSymbol.index(of: $0) == $1 }
                guard matchesCode else { break }
                if rest < own.count {
                    // A proper prefix of the own access code leads somewhere when anything can be dialled.
                    incomplete = incomplete || !packed.nodes[Int(caller.root)].reach.isEmpty
                    break
                }
                offset += own.count
            }
            if incomplete {
                return Decision(outcome: .addressIncomplete, callerID: caller.id,
                                explanation: .incomplete(dialled: dialled, customer: caller.name))
            }
            return Decision(outcome: .notFound, callerID: caller.id, explanation: .noMatch(dialled: dialled, customer: caller.name))
        }
    }

    private func decide(_ match: Match, dialled: String, caller: CompiledCustomer) -> Decision {
        let utf8 = dialled.utf8
        let suffix = { (offset: Int) in Substring(utf8[utf8.index(utf8.startIndex, offsetBy: offset)...]) }
        switch match {
        case .number(let entryIndex, let start, let via):
            let target = targets[Int(entryIndex)]
            let number = suffix(start)
            let range = target.isRange ? target.key : nil
            let explanation: Explanation
            if via != DialTrie.none {
                let access = entries[Int(via)]
                explanation = .groupExtension(
                    accessCode: access.key, member: customers[Int(access.owner)].name, number: number, range: range)
            } else {
                explanation = .ownExtension(customer: caller.name, dialled: String(number), range: range)
            }
            return Decision(outcome: .redirect(contact: target.render(number)), callerID: caller.id, explanation: explanation)
        case .trunk(let entryIndex, let numberStart):
            let target = targets[Int(entryIndex)]
            let number = suffix(numberStart)
            return Decision(
                outcome: .redirect(contact: target.render(number)), callerID: caller.id,
                explanation: .trunk(customer: caller.name, code: target.key, number: number))
        case .foreignTrunk(let via, let trunkIndex):
            let access = entries[Int(via)]
            return Decision(
                outcome: .forbidden(.trunkOfAnotherCustomer), callerID: caller.id,
                explanation: .foreignTrunk(
                    accessCode: access.key, member: customers[Int(access.owner)].name, trunk: entries[Int(trunkIndex)].key))
        case .incomplete, .none:
            break
        }
        preconditionFailure("decide(_:) called with an undecisive match")
    }
}
