/// `[registrar]` in `switchd.toml`.
public struct RegistrarSettings: Sendable, Equatable {
    /// Seconds a binding lasts when neither the Contact's `expires` nor an `Expires` header says.
    public var defaultExpires: Int = 3_600
    /// Shorter requests get `423 Interval Too Brief` with `Min-Expires`.
    public var minExpires: Int = 60
    /// Longer requests are shortened to this.
    public var maxExpires: Int = 7_200
    /// Bindings per address of record at most.
    public var maxContacts: Int = 10
    /// Redirect to the REGISTER's source address and port when the Contact's host is an IP address
    /// other than the source (a phone behind NAT), as Kamailio's `fix_nated_contact` does.
    public var natRewrite: Bool = true

    public init() {}
}
