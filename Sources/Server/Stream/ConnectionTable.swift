import Addressing
import Config
import Synchronization

/// How many TCP and TLS connections are open, in all and per source address: a connection beyond
/// either limit is closed as soon as it is accepted, so neither one address nor many can exhaust the
/// descriptors the others need.
final class ConnectionTable: Sendable {
    enum Refusal: Equatable, CustomStringConvertible {
        case total(limit: Int)
        case perAddress(limit: Int)

        var description: String {
            switch self {
            case .total(let limit): return "\(limit) connections are open (limits.max_connections)"
            case .perAddress(let limit): return "this address has \(limit) open (limits.max_connections_per_address)"
            }
        }
    }

    private struct Counts {
        var total = 0
        var perAddress: [IPAddress: Int] = [:]
        var perTransport: [SIPTransport: Int] = [:]
    }

    private let limits: StreamLimits
    private let counts = Mutex(Counts())

    init(limits: StreamLimits) {
        self.limits = limits
    }

    /// Takes a slot for a connection from `address`, or says why there is none. Every admitted
    /// connection must `release` its slot when it closes.
    func admit(_ address: IPAddress, transport: SIPTransport) -> Refusal? {
        counts.withLock { counts in
            guard counts.total < limits.maxConnections else { return .total(limit: limits.maxConnections) }
            let open = counts.perAddress[address, default: 0]
            guard open < limits.maxConnectionsPerAddress else { return .perAddress(limit: limits.maxConnectionsPerAddress) }
            counts.total += 1
            counts.perAddress[address] = open + 1
            counts.perTransport[transport, default: 0] += 1
            return nil
        }
    }

    func release(_ address: IPAddress, transport: SIPTransport) {
        counts.withLock { counts in
            counts.total -= 1
            counts.perTransport[transport, default: 1] -= 1
            let open = counts.perAddress[address, default: 1] - 1
            counts.perAddress[address] = open > 0 ? open : nil
        }
    }

    var openConnections: Int { counts.withLock { $0.total } }

    /// Open connections of one transport (tcp, tls).
    func openConnections(_ transport: SIPTransport) -> Int { counts.withLock { $0.perTransport[transport, default: 0] } }
}
