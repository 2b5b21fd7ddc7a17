/// The order `lookup` returns bindings in, kept by every write so that a lookup never sorts.
enum BindingOrder {
    /// Highest q first. An absent q counts as 1.0: RFC 3261 §10.2.1.2 says only that q orders
    /// contacts, and a phone that states no preference should not lose to one that asked for less
    /// than the maximum (Kamailio and OpenSIPS treat an absent q as their default, 1.0, too).
    /// Among equal q the most recently updated first (the phone most likely still there), then by
    /// contact text so that the order never depends on insertion.
    static func precedes(_ a: Binding, _ b: Binding) -> Bool {
        let qa = effectiveQ(a)
        let qb = effectiveQ(b)
        if qa != qb { return qa > qb }
        let ta = a.updatedAt.isNaN ? -Double.infinity : a.updatedAt
        let tb = b.updatedAt.isNaN ? -Double.infinity : b.updatedAt
        if ta != tb { return ta > tb }
        return a.contact < b.contact
    }

    /// A stored q that is not a number in 0...1 (a hand-edited database) counts as absent, and a NaN
    /// time as the oldest, so the ordering stays a strict weak order.
    static func effectiveQ(_ binding: Binding) -> Double {
        guard let q = binding.q, q >= 0, q <= 1 else { return 1 }
        return q
    }

    static func sorted(_ bindings: [Binding]) -> [Binding] {
        bindings.sorted(by: precedes)
    }
}
