/// What one REGISTER did. Every case but `.ok` changed nothing.
public enum RegisterOutcome: Sendable, Equatable {
    /// The request was applied (or was a query). `bindings`: every live binding of the AOR afterwards,
    /// in lookup order, for the 200's `Contact: <contact>;expires=N`. `evicted`: bindings this request
    /// pushed out to stay within `maxContacts` (least recently updated first), for the log.
    case ok(bindings: [RegisteredBinding], evicted: [Binding])
    /// A nonzero expiry below `minExpires`: 423 Interval Too Brief with `Min-Expires`.
    case intervalTooBrief(minExpires: Int)
    /// `Contact: *` with other contacts, or without `Expires: 0` (400).
    case invalidWildcard
    /// Same Call-ID as a binding, and a CSeq not higher than the one stored (RFC 3261 §10.3 step 7: 500).
    case outOfOrder
    /// A Contact the registrar cannot bind (400): not sip/sips, no host, a bad port, a negative expires,
    /// a q outside 0...1.
    case invalidContact(String, ContactProblem)
    /// The request alone names more new contacts than `maxContacts` (Kamailio answers 503 "Too many
    /// registered contacts"; 403 also fits). Fewer, but too many together with the existing bindings,
    /// evicts instead (see `RegistrationRules`).
    case tooManyContacts(maxContacts: Int)
    /// The store is behind (an outage) by `limit` changes, and this request would add to them: refused
    /// rather than answered 200, since a 200 promises the binding outlives a restart (503 with
    /// Retry-After; the phone tries again). Queries and refused requests are still answered.
    case storeBacklogFull(limit: Int)
}

public enum ContactProblem: Sendable, Equatable {
    case unsupportedScheme
    case missingHost
    case badPort
    case negativeExpires
    case qOutOfRange
}

/// A live binding and the seconds it has left (at least 1 while live), for `expires=` in a 200.
public struct RegisteredBinding: Sendable, Equatable {
    public var binding: Binding
    public var expiresIn: Int

    public init(binding: Binding, expiresIn: Int) {
        self.binding = binding
        self.expiresIn = expiresIn
    }

    init(_ binding: Binding, now: Double) {
        self.binding = binding
        // Nearest second, so that a binding just made for 3600 s reads 3600 despite floating point; a
        // stored time that is not finite (a hand-edited database) must not trap the conversion.
        let left = (binding.expiresAt - now).rounded()
        self.expiresIn = left.isFinite ? Int(min(max(left, 1), Double(Int32.max))) : 1
    }
}
