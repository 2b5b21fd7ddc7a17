/// What one group file says, after its keys were checked.
struct GroupSpec {
    let id: String
    let file: String
    let name: String
}

/// What one customer file says, after its keys were checked one by one. Cross-file rules (groups, CMs,
/// access codes, domains, prefixes) are checked when the specs are compiled into a `DialPlan`.
struct CustomerSpec {
    let id: String
    let file: String
    var name: String
    var cm: Int
    var domains: [String]
    var accessCode: String?
    var group: String?
    var networks: [IPNetwork]
    var extensions: [ExtensionSpec]
    var trunks: [TrunkSpec]
    /// Digest HA1 hashes per extension (realm = the first domain).
    var credentials: [String: StoredCredential]
}

struct ExtensionSpec {
    enum Numbers {
        case single(String)
        /// Inclusive, both ends of the same length and digits only.
        case range(low: String, high: String)
    }

    /// The key as the admin wrote it, for messages.
    let key: String
    let numbers: Numbers
    let contact: URITemplate

    /// How many numbers this entry covers.
    var size: Int {
        switch numbers {
        case .single: return 1
        case .range(let low, let high): return (Int(high) ?? 0) - (Int(low) ?? 0) + 1
        }
    }
}

struct TrunkSpec {
    let code: String
    let gateway: URITemplate
}
