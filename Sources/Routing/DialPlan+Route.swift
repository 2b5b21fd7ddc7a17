import Config

/// The routing rules of a customer group dial plan (see README "Routing rules").
extension DialPlan {
    /// Routes one call as `caller`, whom the trust gate identified and admitted: emergency numbers
    /// first, then the Request-URI host check, then rules 1-5. `fromUser` (the From user) is the calling
    /// extension, whose `[outbound]` classes replace its trunk's. Whether the caller was trusted is not
    /// this module's business.
    public func dial(_ dialled: String, as caller: Caller, fromUser: String? = nil, requestURIHost: String? = nil) -> Decision {
        if let host = requestURIHost, let owner = domainOwners[Self.lowercasedHost(host)], owner != caller.index {
            // An emergency call goes through whatever the Request-URI host says; nothing else does.
            let decision = dial(dialled, caller: caller.index, fromUser: fromUser)
            if decision.isEmergency { return decision }
            let customer = customers[Int(caller.index)]
            return Decision(
                outcome: .forbidden(.foreignDomain), callerID: customer.id,
                explanation: .foreignDomain(host: host, owner: customers[Int(owner)].name, customer: customer.name))
        }
        return dial(dialled, caller: caller.index, fromUser: fromUser)
    }

    /// Emergency numbers and rules 1-5 for a caller already identified.
    func dial(_ dialled: String, caller callerIndex: Int32, fromUser: String?) -> Decision {
        let caller = customers[Int(callerIndex)]
        var contiguous = dialled
        return contiguous.withUTF8 { bytes -> Decision in
            if bytes.first == 0x2B { return dialE164(bytes, dialled: dialled, caller: caller, fromUser: fromUser) }
            guard bytes.allSatisfy({ DialSymbol.index(of: $0) != nil }) else {
                return Decision(outcome: .notFound, callerID: caller.id, explanation: .notDialable(dialled: dialled))
            }
            var incomplete = false
            var offset = 0
            // The caller's own access code is transparent: 71+201 from Acme (71) is Acme's 201, and what
            // follows the code is routed as if dialled alone (so 71+71+201 too).
            while true {
                switch numbering.emergency.match(bytes, from: offset) {
                case .value(let index):
                    return emergencyCall(index, dialled: dialled, from: offset, trunk: nil, caller: caller)
                case .properPrefix:
                    incomplete = true
                case .none:
                    break
                }
                let match = lookup(bytes, from: offset, root: caller.root, asMember: nil)
                if let decision = decide(match, bytes: bytes, dialled: dialled, caller: caller, fromUser: fromUser) {
                    return decision
                }
                incomplete = incomplete || match.isIncomplete
                guard let own = caller.accessCode else { break }
                let rest = bytes.count - offset
                let matchesCode = zip(bytes[offset...], own).allSatisfy { DialSymbol.index(of: $0) == $1 }
                guard matchesCode else { break }
                if rest < own.count {
                    // A proper prefix of the own access code leads somewhere when anything can be dialled.
                    incomplete = incomplete || !packed.nodes[Int(caller.root)].reach.isEmpty || !numbering.emergency.isEmpty
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
    private func decide(
        _ match: Match, bytes: UnsafeBufferPointer<UInt8>, dialled: String, caller: CompiledCustomer, fromUser: String?
    ) -> Decision? {
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
            return Decision(
                outcome: outcome, callerID: caller.id, explanation: explanation, reachedExtension: reached,
                source: ContactSource(entry: entryIndex, numberStart: Int32(start)))
        case .trunk(let entryIndex, let numberStart):
            let target = targets[Int(entryIndex)]
            if case .value(let index) = numbering.emergency.match(bytes, from: numberStart) {
                return emergencyCall(index, dialled: dialled, from: numberStart, trunk: target.key, caller: caller)
            }
            let number = suffix(numberStart)
            let classIndex = numbering.classIndex(bytes, from: numberStart)
            let override = outboundOverride(caller, fromUser)
            let allowed = override.map { $0.allows(classIndex) } ?? (target.allowedClasses & (1 << UInt64(classIndex)) != 0)
            guard allowed else {
                return Decision(
                    outcome: .forbidden(.callClassBarred), callerID: caller.id,
                    explanation: .barred(number: number, classes: classNote(override, target)))
            }
            let note = numbering.isConfigured ? classNote(override, target) : nil
            return Decision(
                outcome: .redirect(contact: target.render(number)), callerID: caller.id,
                explanation: .trunk(customer: caller.name, code: target.key, number: number, classes: note),
                source: ContactSource(entry: entryIndex, numberStart: Int32(numberStart)))
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

    /// The calling extension's `[outbound]` classes, which replace its trunk's; nil when it has none.
    @inline(__always)
    private func outboundOverride(_ caller: CompiledCustomer, _ fromUser: String?) -> ClassAllowance? {
        caller.outbound.isEmpty ? nil : fromUser.flatMap { caller.outbound[$0] }
    }

    /// What a trunk call's reason names: the override if there is one, else the trunk's classes.
    private func classNote(_ override: ClassAllowance?, _ trunk: RouteTarget) -> ClassNote {
        ClassNote(numbering: numbering, allowance: override ?? trunk.allowance ?? ClassAllowance.none)
    }

    /// `bytes[start...]` is emergency number `index`: a 302 to the emergency gateway.
    private func emergencyCall(_ index: Int32, dialled: String, from start: Int, trunk: String?, caller: CompiledCustomer)
        -> Decision
    {
        let utf8 = dialled.utf8
        let number = Substring(utf8[utf8.index(utf8.startIndex, offsetBy: start)...])
        // The table holds numbers only when the gateway exists.
        let contact = numbering.emergencyGateway?.render(number) ?? ""
        return Decision(
            outcome: .redirect(contact: contact), callerID: caller.id,
            explanation: .emergency(number: number, trunk: trunk),
            source: ContactSource(entry: ContactSource.emergencyGateway, numberStart: Int32(start)))
    }

    /// A `+` number (E.164): over the caller's `e164 = true` trunk, its class permitting; never an
    /// emergency call (emergency numbers are short codes dialled as such).
    private func dialE164(_ bytes: UnsafeBufferPointer<UInt8>, dialled: String, caller: CompiledCustomer, fromUser: String?)
        -> Decision
    {
        guard bytes.count > 1, bytes.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return Decision(outcome: .notFound, callerID: caller.id, explanation: .notDialable(dialled: dialled))
        }
        guard caller.e164Trunk != DialTrie.none else {
            return Decision(
                outcome: .notFound, callerID: caller.id, explanation: .noE164Trunk(dialled: dialled, customer: caller.name))
        }
        let classIndex = numbering.classIndexOfE164(bytes)
        let note = classNote(outboundOverride(caller, fromUser), targets[Int(caller.e164Trunk)])
        let number = Substring(dialled)
        guard note.allowance.allows(classIndex) else {
            return Decision(
                outcome: .forbidden(.callClassBarred), callerID: caller.id, explanation: .barred(number: number, classes: note))
        }
        return Decision(
            outcome: .redirect(contact: targets[Int(caller.e164Trunk)].render(number)), callerID: caller.id,
            explanation: .e164(customer: caller.name, code: targets[Int(caller.e164Trunk)].key, number: number, classes: note),
            source: ContactSource(entry: caller.e164Trunk, numberStart: 0))
    }
}
