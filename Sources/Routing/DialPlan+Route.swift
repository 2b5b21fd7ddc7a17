import Config

/// The routing rules of a customer group dial plan (see README "Routing rules").
extension DialPlan {
    /// Routes one call as `caller`, whom the trust gate identified and admitted: the Request-URI
    /// host check, then rules 1-5. Whether the caller was trusted is not this module's business.
    public func dial(_ dialled: String, as caller: Caller, requestURIHost: String? = nil) -> Decision {
        let customer = customers[Int(caller.index)]
        if let host = requestURIHost, let owner = domainOwners[Self.lowercasedHost(host)], owner != caller.index {
            return Decision(
                outcome: .forbidden(.foreignDomain), callerID: customer.id,
                explanation: .foreignDomain(host: host, owner: customers[Int(owner)].name, customer: customer.name))
        }
        return dial(dialled, caller: caller.index)
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
                if let decision = decide(match, dialled: dialled, caller: caller) { return decision }
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
                return Decision(
                    outcome: .addressIncomplete, callerID: caller.id,
                    explanation: .incomplete(dialled: dialled, customer: caller.name))
            }
            return Decision(
                outcome: .notFound, callerID: caller.id, explanation: .noMatch(dialled: dialled, customer: caller.name))
        }
    }

    /// The decision a decisive match makes; nil for `.incomplete` and `.none`, which only the walk over
    /// the caller's own access code can settle.
    private func decide(_ match: Match, dialled: String, caller: CompiledCustomer) -> Decision? {
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
            let reached = ExtensionReference(
                customerID: customers[Int(entries[Int(entryIndex)].owner)].id, number: String(number))
            let outcome: Decision.Outcome = target.isRegisteredOnly ? .registeredOnly : .redirect(contact: target.render(number))
            return Decision(outcome: outcome, callerID: caller.id, explanation: explanation, reachedExtension: reached)
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
            return nil
        }
    }
}
