import Addressing
import Config

/// The compiled, immutable dial plan: built once per load, read concurrently without locks.
public final class DialPlan: Sendable {
    let customers: [CompiledCustomer]
    /// Lower-cased domain → customer index.
    let domainOwners: [String: Int32]
    /// Routing reads this packed copy; `CompiledCustomer.root` indexes into it.
    let packed: PackedTrie
    let entries: [DialEntry]
    /// The redirect data of `entries`, flat, for the hot path.
    let targets: ContiguousArray<RouteTarget>
    public let summary: PlanSummary
    /// Every customer's networks, for the rate-limit exemption check on every datagram.
    let allNetworks: [IPNetwork]
    /// Every trunk gateway's host and the emergency gateway's, normalised: no phone may register a
    /// Contact on one.
    let trunkHosts: Set<String>
    /// Emergency numbers and call classes (numbering.toml).
    let numbering: CompiledNumbering
    /// Every group file's id, members or not (`switchd diff` lists those added and removed).
    let groupIDs: [String]

    init(
        customers: [CompiledCustomer], domainOwners: [String: Int32], packed: PackedTrie, entries: [DialEntry],
        numbering: CompiledNumbering, emergencyGateway: URITemplate?, summary: PlanSummary, groupIDs: [String] = []
    ) {
        self.groupIDs = groupIDs
        self.customers = customers
        self.domainOwners = domainOwners
        self.packed = packed
        self.entries = entries
        self.targets = ContiguousArray(entries.map(RouteTarget.init))
        self.summary = summary
        var seen = Set<IPNetwork>()
        self.allNetworks = customers.flatMap(\.networks).filter { seen.insert($0).inserted }
        self.numbering = numbering
        self.trunkHosts = Self.trunkHosts(of: entries, emergencyGateway: emergencyGateway)
    }

    /// Ids of the customers, in load order (file-name order).
    public var customerIDs: [String] { customers.map(\.id) }

    /// The customer a domain belongs to (case-insensitive), if any.
    public func customerID(forDomain domain: String) -> String? {
        domainOwners[domain.lowercased()].map { customers[Int($0)].id }
    }
}
