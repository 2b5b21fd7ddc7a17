/// RFC 3261 §10.3 steps 6-8 for one address of record, as a pure function of its current bindings:
/// the location service holds its lock around this and applies what it returns.
///
/// The rules, in the order they are checked (the first that fails refuses the whole request, and a
/// refused request changes nothing):
/// 1. No Contact at all: a query; nothing changes.
/// 2. `Contact: *` must be alone and come with `Expires: 0` (`.invalidWildcard`); every binding with
///    the request's Call-ID must have a lower CSeq (`.outOfOrder`); then every binding is removed.
/// 3. Each Contact must be a sip/sips URI with a host, a non-negative expires and q in 0...1
///    (`.invalidContact`).
/// 4. Its expiry is its `expires` parameter, else the `Expires` header, else `defaultExpires`; a
///    nonzero expiry below `minExpires` refuses the request (`.intervalTooBrief`); above `maxExpires`
///    it is shortened to `maxExpires`; 0 removes the binding.
/// 5. A Contact naming an existing live binding (same `ContactURI.Identity`) with the same Call-ID
///    must carry a higher CSeq (`.outOfOrder`); with another Call-ID it always updates (a rebooted
///    phone). A Contact repeated within one request counts once, its last occurrence.
/// 6. More Contacts to bind (expiry > 0) than `maxContacts` in the request alone: `.tooManyContacts`.
/// 7. Applied: then, while the AOR holds more than `maxContacts`, the binding updated least
///    recently among those this request did not name is evicted. Why evict rather than refuse: a
///    phone that moved (new network, new Contact, new Call-ID after a reboot) leaves its old binding
///    behind for up to `maxExpires`; refusing would lock that phone out until the stale binding
///    lapses, while the binding nobody refreshed for longest is the one least likely to still reach
///    a phone. The evicted bindings are reported in `.ok(evicted:)`.
struct RegistrationRules {
    let settings: RegistrarSettings

    /// What an accepted request does to the AOR.
    struct Applied: Equatable {
        /// The AOR's bindings afterwards, live only, in lookup order.
        var bindings: [Binding]
        /// For the store, in order (removals of expired bindings first).
        var changes: [BindingChange]
        var evicted: [Binding]
    }

    enum Verdict: Equatable {
        case query
        case apply(Applied)
        case refuse(RegisterOutcome)
    }

    /// One Contact after checks 3 and 4.
    private struct Checked {
        var text: String
        var uri: ContactURI
        var identity: ContactURI.Identity
        /// Seconds, already capped at `maxExpires`; 0 removes.
        var expiry: Int
        var q: Double?
    }

    func evaluate(_ request: RegisterRequest, current: [Binding], now: Double) -> Verdict {
        if request.contacts.isEmpty { return .query }
        let live = current.filter { $0.isLive(at: now) }
        if request.contacts.contains(.wildcard) {
            return wildcard(request, live: live)
        }
        var checked: [Checked] = []
        for contact in request.contacts {
            guard case .uri(let text, let expires, let q) = contact else { continue }
            switch check(text, expires: expires, q: q, header: request.expires) {
            case .accepted(let value): checked.append(value)
            case .refused(let outcome): return .refuse(outcome)
            }
        }
        checked = lastOccurrences(checked)
        for contact in checked {
            if let existing = live.first(where: { identity(of: $0) == contact.identity }),
                existing.callID == request.callID, request.cseq <= existing.cseq
            {
                return .refuse(.outOfOrder)
            }
        }
        if checked.count(where: { $0.expiry > 0 }) > settings.maxContacts {
            return .refuse(.tooManyContacts(maxContacts: settings.maxContacts))
        }
        return .apply(apply(checked, request: request, current: current, live: live, now: now))
    }

    private func wildcard(_ request: RegisterRequest, live: [Binding]) -> Verdict {
        guard request.contacts.count == 1, request.expires == 0 else { return .refuse(.invalidWildcard) }
        if live.contains(where: { $0.callID == request.callID && request.cseq <= $0.cseq }) {
            return .refuse(.outOfOrder)
        }
        return .apply(Applied(bindings: [], changes: [.removeAll(request.aor)], evicted: []))
    }

    private enum Check {
        case accepted(Checked)
        case refused(RegisterOutcome)
    }

    private func check(_ text: String, expires: Int?, q: Double?, header: Int?) -> Check {
        let uri: ContactURI
        switch ContactURI.parse(text) {
        case .success(let parsed): uri = parsed
        case .failure(.unsupportedScheme): return .refused(.invalidContact(text, .unsupportedScheme))
        case .failure(.missingHost): return .refused(.invalidContact(text, .missingHost))
        case .failure(.badPort): return .refused(.invalidContact(text, .badPort))
        }
        if let q, !(q >= 0 && q <= 1) { return .refused(.invalidContact(text, .qOutOfRange)) }
        let asked = expires ?? header ?? settings.defaultExpires
        if asked < 0 { return .refused(.invalidContact(text, .negativeExpires)) }
        if asked != 0, asked < settings.minExpires { return .refused(.intervalTooBrief(minExpires: settings.minExpires)) }
        let expiry = min(asked, settings.maxExpires)
        return .accepted(Checked(text: text, uri: uri, identity: uri.identity, expiry: expiry, q: q))
    }

    /// A Contact named twice in one request: its last occurrence, at the place of its first.
    private func lastOccurrences(_ contacts: [Checked]) -> [Checked] {
        var result: [Checked] = []
        for contact in contacts {
            if let index = result.firstIndex(where: { $0.identity == contact.identity }) {
                result[index] = contact
            } else {
                result.append(contact)
            }
        }
        return result
    }

    private func apply(_ contacts: [Checked], request: RegisterRequest, current: [Binding], live: [Binding], now: Double)
        -> Applied
    {
        let aor = request.aor
        // Expired bindings leave with this write rather than waiting for the next purge.
        var changes: [BindingChange] = current.filter { !$0.isLive(at: now) }.map { .remove(aor, contact: $0.contact) }
        var working = live
        var named: Set<ContactURI.Identity> = []
        for contact in contacts {
            named.insert(contact.identity)
            let index = working.firstIndex { identity(of: $0) == contact.identity }
            if let index, working[index].contact != contact.text || contact.expiry == 0 {
                // The store keys bindings by contact text: an equivalent Contact written differently
                // replaces the old row rather than leaving it beside the new one.
                changes.append(.remove(aor, contact: working[index].contact))
            }
            if contact.expiry == 0 {
                if let index { working.remove(at: index) }
                continue
            }
            let binding = Binding(
                aor: aor, contact: contact.text,
                target: settings.natRewrite
                    ? NATRewrite.target(
                        of: contact.uri, text: contact.text, sourceIP: request.sourceIP, sourcePort: request.sourcePort)
                    : contact.text,
                callID: request.callID, cseq: request.cseq, expiresAt: now + Double(contact.expiry), q: contact.q,
                source: request.sourceText, transport: request.transport, userAgent: request.userAgent, updatedAt: now)
            changes.append(.upsert(binding))
            if let index { working[index] = binding } else { working.append(binding) }
        }
        var evicted: [Binding] = []
        while working.count > max(settings.maxContacts, 0) {
            // Rule 6 guarantees bindings outside the request while over the limit.
            let candidates = working.indices.filter { !named.contains(identity(of: working[$0])) }
            guard let oldest = candidates.min(by: { leastRecent(working[$0], working[$1]) }) else { break }
            let binding = working.remove(at: oldest)
            evicted.append(binding)
            changes.append(.remove(aor, contact: binding.contact))
        }
        return Applied(bindings: BindingOrder.sorted(working), changes: changes, evicted: evicted)
    }

    private func leastRecent(_ a: Binding, _ b: Binding) -> Bool {
        a.updatedAt != b.updatedAt ? a.updatedAt < b.updatedAt : a.contact < b.contact
    }

    /// A stored binding's identity; a stored contact that no longer parses (a hand-edited database)
    /// is identified by its text alone, so it can still be replaced by an exact match or evicted.
    private func identity(of binding: Binding) -> ContactURI.Identity {
        switch ContactURI.parse(binding.contact) {
        case .success(let uri): uri.identity
        case .failure: ContactURI.Identity(scheme: "", userinfo: nil, host: binding.contact, port: nil)
        }
    }
}
