import Addressing

/// What one group file says, after its keys were checked.
package struct GroupSpec: Sendable {
    package let id: String
    package let file: String
    package let name: String
}

/// What one customer file says, after its keys were checked one by one. Cross-file rules (groups, CMs,
/// access codes, domains, prefixes) are checked when the specs are compiled into a `DialPlan`.
package struct CustomerSpec: Sendable {
    package let id: String
    package let file: String
    package var name: String
    package var cm: Int
    package var domains: [String]
    /// Absent when missing or invalid (its diagnostic is in the log), so the compiler never sees a bad one.
    package var accessCode: DialString?
    package var group: String?
    package var networks: [IPNetwork]
    package var extensions: [ExtensionSpec]
    package var trunks: [TrunkSpec]
    /// `[outbound."EXT"]`: the classes one extension may call, in place of its trunk's.
    package var outbound: [OutboundSpec]
    /// Digest HA1 hashes per extension (realm = the first domain).
    package var credentials: [String: StoredCredential]
}

package struct ExtensionSpec: Sendable {
    package enum Numbers: Sendable {
        case single(DialString)
        /// Inclusive, both ends of the same length and digits only.
        case range(ExtensionRange)
    }

    /// The key as the admin wrote it, for messages.
    package let key: String
    package let numbers: Numbers
    /// Where calls go when no phone of the extension is registered; nil for `"registered"` (registered
    /// phones only: with none, a call is answered 480).
    package let contact: URITemplate?

    /// How many numbers this entry covers.
    package var size: Int {
        switch numbers {
        case .single: return 1
        case .range(let range): return range.size
        }
    }
}

package struct TrunkSpec: Sendable {
    package let code: DialString
    package let gateway: URITemplate
    /// The call classes it may carry (checked against numbering.toml's names).
    package let allow: ClassAllowanceSpec
    /// It carries `+` (E.164) numbers, `{number}` = the `+` number; at most one trunk per customer.
    package let e164: Bool
}

/// `[outbound."EXT"] allow = [...]`: an extension of the customer whose calls over any of its trunks
/// may reach these classes instead of the trunk's.
package struct OutboundSpec: Sendable {
    package let number: DialString
    package let allow: [String]
}
