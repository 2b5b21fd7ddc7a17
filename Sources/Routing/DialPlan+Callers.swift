import Config
import Addressing
/// A customer of this plan as a caller: the customer behind a From host. The trust gate looks it up
/// once per request, decides whether the request may act as it, and hands it to `dial(_:as:)`; the
/// index makes every later question about the caller an array read, not another lookup.
public struct Caller: Sendable, Equatable {
    public let customerID: String
    /// The customer's display name, for log lines and reasons.
    public let name: String
    /// The digest realm of the customer: its first domain.
    public let realm: String
    let index: Int32
}

extension DialPlan {
    public func caller(fromHost host: String) -> Caller? {
        guard let index = domainOwners[Self.lowercasedHost(host)] else { return nil }
        let customer = customers[Int(index)]
        return Caller(customerID: customer.id, name: customer.name, realm: customer.realm, index: index)
    }

    /// True when `source` lies in the caller's `networks`.
    public func isTrustedSource(_ source: IPAddress, for caller: Caller) -> Bool {
        customers[Int(caller.index)].networks.contains { $0.contains(source) }
    }

    /// True when `source` lies in any customer's `networks`: such sources are exempt from rate limits.
    public func isInAnyNetwork(_ source: IPAddress) -> Bool {
        allNetworks.contains { $0.contains(source) }
    }

    /// The stored HA1 of one extension of the caller's customer for one algorithm key ("sha256", "md5").
    public func storedHA1(for caller: Caller, user: String, algorithm key: String) -> String? {
        guard let credential = customers[Int(caller.index)].credentials[user] else { return nil }
        return key == "sha256" ? credential.sha256 : key == "md5" ? credential.md5 : nil
    }

    /// The realm of a customer by id, for `switchd passwd`.
    public func realm(ofCustomer id: String) -> String? {
        customers.first { $0.id == id }?.realm
    }

    /// True when `number` is an extension (single or in a range) of customer `id`.
    public func hasExtension(_ number: String, customer id: String) -> Bool {
        guard let customer = customers.first(where: { $0.id == id }) else { return false }
        var contiguous = number
        return contiguous.withUTF8 { bytes in
            if case .number(_, _, let via) = lookup(bytes, from: 0, root: customer.root, asMember: nil), via == DialTrie.none {
                return true
            }
            return false
        }
    }
}
