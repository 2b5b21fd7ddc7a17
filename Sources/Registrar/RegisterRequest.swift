/// What the registrar needs from one REGISTER, as plain values: the SIP module parses, the request
/// handler authorises the address of record, and the location service decides (RFC 3261 §10.3 steps
/// 6-8).
public struct RegisterRequest: Sendable, Equatable {
    /// One value of the Contact header field.
    public enum Contact: Sendable, Equatable {
        /// A contact: its URI as written between `<` and `>` (or the bare URI), its `expires` and `q`
        /// header parameters when present.
        case uri(String, expires: Int? = nil, q: Double? = nil)
        /// `Contact: *`, valid only alone and with `Expires: 0`: remove every binding of the AOR.
        case wildcard
    }

    /// Already authorised by the caller: the registrar does not check who may register it.
    public var aor: AddressOfRecord
    public var callID: String
    public var cseq: UInt32
    /// In header order. Empty: a query (RFC 3261 §10.3 step 6): nothing changes.
    public var contacts: [Contact]
    /// The `Expires` header field, when present.
    public var expires: Int?
    /// The address the REGISTER came from (`192.0.2.1`, `2001:db8::1` or `[2001:db8::1]`).
    public var sourceIP: String
    public var sourcePort: UInt16
    /// `UDP`, `TCP`, `TLS`.
    public var transport: String
    public var userAgent: String?

    public init(
        aor: AddressOfRecord, callID: String, cseq: UInt32, contacts: [Contact], expires: Int? = nil,
        sourceIP: String, sourcePort: UInt16, transport: String = "UDP", userAgent: String? = nil
    ) {
        self.aor = aor
        self.callID = callID
        self.cseq = cseq
        self.contacts = contacts
        self.expires = expires
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.transport = transport
        self.userAgent = userAgent
    }

    /// `IP:PORT` (`[v6]:PORT`), as `Binding.source` keeps it.
    var sourceText: String {
        let bracketed = sourceIP.contains(":") && !sourceIP.hasPrefix("[") ? "[\(sourceIP)]" : sourceIP
        return "\(bracketed):\(sourcePort)"
    }
}
