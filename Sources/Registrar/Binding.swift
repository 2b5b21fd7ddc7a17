/// The address of record a REGISTER names: one extension of one customer (`sip:<ext>@<domain of C>`).
public struct AddressOfRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    public var customerID: String
    public var extensionNumber: String

    public init(customerID: String, extensionNumber: String) {
        self.customerID = customerID
        self.extensionNumber = extensionNumber
    }

    public var description: String { "\(extensionNumber)@\(customerID)" }
}

/// One registered contact of an address of record (RFC 3261 §10.3), as the location service keeps it
/// and every store writes it.
public struct Binding: Sendable, Equatable, Codable {
    public var aor: AddressOfRecord
    /// The Contact URI exactly as the phone last registered it. Within its AOR a binding is identified
    /// by RFC 3261 §19.1.4 equality of scheme, userinfo, host and port (`ContactURI.Identity`); stores
    /// key it by this text, and the location service replaces the row when an equivalent Contact comes
    /// written differently.
    public var contact: String
    /// Where redirects send calls: `contact`, or with the host and port replaced by the REGISTER's
    /// source when the phone is behind NAT (see `RegistrarSettings.natRewrite`).
    public var target: String
    public var callID: String
    public var cseq: UInt32
    /// Seconds since 1970 at which the binding lapses.
    public var expiresAt: Double
    /// The Contact's `q` (0...1), when given.
    public var q: Double?
    /// Source address and port of the REGISTER, as `IP:PORT` (`[v6]:PORT`).
    public var source: String
    /// `UDP`, `TCP`, `TLS`.
    public var transport: String
    public var userAgent: String?
    /// Seconds since 1970 of the REGISTER that last wrote this binding (newest first among equal q).
    public var updatedAt: Double

    public init(
        aor: AddressOfRecord, contact: String, target: String, callID: String, cseq: UInt32, expiresAt: Double,
        q: Double?, source: String, transport: String, userAgent: String?, updatedAt: Double
    ) {
        self.aor = aor
        self.contact = contact
        self.target = target
        self.callID = callID
        self.cseq = cseq
        self.expiresAt = expiresAt
        self.q = q
        self.source = source
        self.transport = transport
        self.userAgent = userAgent
        self.updatedAt = updatedAt
    }

    public func isLive(at now: Double) -> Bool { expiresAt > now }
}

/// One change to the bindings, as the location service hands it to its store (and as a cluster's
/// store reports another node's change).
public enum BindingChange: Sendable, Equatable {
    case upsert(Binding)
    case remove(AddressOfRecord, contact: String)
    case removeAll(AddressOfRecord)
    /// Every binding (of every AOR) whose `expiresAt` is at or before the time: a condition rather than
    /// a list of removals, so that a node purging its memory cannot delete a binding another node of a
    /// cluster has renewed meanwhile.
    case removeExpired(before: Double)
}

/// Where bindings outlive the process: SQLite (default), PostgreSQL (a cluster), or memory.
/// The location service serves every lookup from memory and writes through to its store.
public protocol BindingStore: Sendable {
    /// Every stored binding (live or not: the caller drops the expired ones).
    func load() throws -> [Binding]
    /// Applies changes in order, atomically. Throws when the store is unreachable; the caller keeps the
    /// changes and writes them again later, so that no REGISTER answered 200 is lost. Called from one
    /// background queue at a time, never from a request's thread.
    func write(_ changes: [BindingChange]) throws
    /// Releases the file or connections; calls after it throw. The owner calls it once, after the last
    /// write it needs (the daemon: at stop, after flushing; also when startup fails after opening).
    func close() throws
}
