import Addressing
import Config

/// A customer as the router needs it: identity, who may call as it, and where its dial strings start.
/// A final class so that reading one out of the array on the hot path is one retain, not one per field.
final class CompiledCustomer: Sendable {
    let id: String
    let name: String
    let file: String
    let cm: Int
    let domains: [String]
    let networks: [IPNetwork]
    /// Symbol indices of the access code, when the customer is in a group.
    let accessCode: [Int]?
    let accessCodeText: String?
    let group: String?
    /// Root of this customer's dial strings in the shared trie.
    let root: Int32
    /// How many numbers its extensions cover (ranges counted in full, overrides once).
    let extensionCount: Int
    /// HA1 hashes per extension; the digest realm is the first domain.
    let credentials: [String: StoredCredential]
    /// The entry of the trunk with `e164 = true`, or `DialTrie.none`.
    let e164Trunk: Int32
    /// `[outbound."EXT"]`: the classes an extension (the From user) may call over any trunk.
    let outbound: [String: ClassAllowance]

    init(
        id: String, name: String, file: String, cm: Int, domains: [String], networks: [IPNetwork],
        accessCode: [Int]?, accessCodeText: String?, group: String?, root: Int32, extensionCount: Int,
        credentials: [String: StoredCredential], e164Trunk: Int32 = DialTrie.none, outbound: [String: ClassAllowance] = [:]
    ) {
        self.id = id
        self.name = name
        self.file = file
        self.cm = cm
        self.domains = domains
        self.networks = networks
        self.accessCode = accessCode
        self.accessCodeText = accessCodeText
        self.group = group
        self.root = root
        self.extensionCount = extensionCount
        self.credentials = credentials
        self.e164Trunk = e164Trunk
        self.outbound = outbound
    }

    var realm: String { domains.first ?? "" }

    /// The same customer with its root in another trie (the packed one) and its E.164 trunk's entry.
    func rooted(at root: Int32, e164Trunk: Int32) -> CompiledCustomer {
        CompiledCustomer(
            id: id, name: name, file: file, cm: cm, domains: domains, networks: networks, accessCode: accessCode,
            accessCodeText: accessCodeText, group: group, root: root, extensionCount: extensionCount,
            credentials: credentials, e164Trunk: e164Trunk, outbound: outbound)
    }
}

/// What `switchd check` prints on success.
public struct PlanSummary: Sendable, Equatable, CustomStringConvertible {
    public let customers: Int
    public let groups: Int
    public let extensions: Int
    public let trunks: Int
    /// From numbering.toml; nil without that file (then the summary does not mention them).
    public let emergencyNumbers: Int?
    public let callClasses: Int?

    public init(customers: Int, groups: Int, extensions: Int, trunks: Int, emergencyNumbers: Int? = nil, callClasses: Int? = nil)
    {
        self.customers = customers
        self.groups = groups
        self.extensions = extensions
        self.trunks = trunks
        self.emergencyNumbers = emergencyNumbers
        self.callClasses = callClasses
    }

    public var description: String {
        var text =
            "\(customers) \(customers == 1 ? "customer" : "customers"), "
            + "\(groups) \(groups == 1 ? "group" : "groups"), "
            + "\(extensions) \(extensions == 1 ? "extension" : "extensions"), "
            + "\(trunks) \(trunks == 1 ? "trunk" : "trunks")"
        if let emergencyNumbers {
            text += ", \(emergencyNumbers) emergency \(emergencyNumbers == 1 ? "number" : "numbers")"
        }
        if let callClasses { text += ", \(callClasses) call \(callClasses == 1 ? "class" : "classes")" }
        return text
    }
}
