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

    init(
        id: String, name: String, file: String, cm: Int, domains: [String], networks: [IPNetwork],
        accessCode: [Int]?, accessCodeText: String?, group: String?, root: Int32, extensionCount: Int,
        credentials: [String: StoredCredential]
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
    }

    var realm: String { domains.first ?? "" }

    /// The same customer with its root in another trie (the packed one).
    func rooted(at root: Int32) -> CompiledCustomer {
        CompiledCustomer(
            id: id, name: name, file: file, cm: cm, domains: domains, networks: networks, accessCode: accessCode,
            accessCodeText: accessCodeText, group: group, root: root, extensionCount: extensionCount,
            credentials: credentials)
    }
}

/// What `switchd check` prints on success.
public struct PlanSummary: Sendable, Equatable, CustomStringConvertible {
    public let customers: Int
    public let groups: Int
    public let extensions: Int
    public let trunks: Int

    public var description: String {
        "\(customers) \(customers == 1 ? "customer" : "customers"), "
            + "\(groups) \(groups == 1 ? "group" : "groups"), "
            + "\(extensions) \(extensions == 1 ? "extension" : "extensions"), "
            + "\(trunks) \(trunks == 1 ? "trunk" : "trunks")"
    }
}
