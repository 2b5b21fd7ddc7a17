import Addressing
import Auth
import Registrar

/// `switchd.toml`: what the SIP front listens on, its limits, digest settings and registrar.
public struct ServerSettings: Sendable, Equatable {
    public var listen: [ListenAddress]
    /// Threads draining each listen socket (`[server] workers`): one keeps up with tens of thousands of
    /// calls a second; more spread a heavier load over more cores.
    public var workers: Int
    public var limits: LimitSettings
    /// Seconds a digest nonce stays valid (`[auth] nonce_lifetime`).
    public var nonceLifetime: Int
    /// `[auth] algorithms`: what every 401 offers, in this order (a reload applies a change).
    public var challengeAlgorithms: [DigestAlgorithm] = [.sha256, .md5]
    /// `[registrar]`: expiry bounds, bindings per address of record, NAT handling.
    public var registrar = RegistrarSettings()
    /// `[registrar] store`.
    public var bindingStore = BindingStoreLocation.defaultLocation
    /// `[tls]`: required when a listen address is `tls:`.
    public var tls: TLSSettings?
    /// `[log] decisions`: the file every answered call and registration is written to, one JSON object
    /// a line (relative to the conf directory, or absolute); nil for none.
    public var decisionLog: String?
    /// `[metrics] listen`: the HTTP endpoint serving `/metrics` and `/health`; nil for none.
    public var metrics: MetricsAddress?

    public static let defaultListen = [ListenAddress(host: "127.0.0.1", port: 5060)]

    public static let workerRange = 1...64

    public init(
        listen: [ListenAddress] = ServerSettings.defaultListen, workers: Int = 1, limits: LimitSettings = LimitSettings(),
        nonceLifetime: Int = 300
    ) {
        self.listen = listen
        self.workers = workers
        self.limits = limits
        self.nonceLifetime = nonceLifetime
    }
}

/// The transports a listen address can serve (RFC 3261 §18: UDP and TCP are mandatory; TLS for `sips:`).
public enum SIPTransport: String, Sendable, Hashable, CaseIterable {
    case udp, tcp, tls

    /// As a Via's sent-protocol and a binding's transport write it.
    public var viaName: String { rawValue.uppercased() }
    /// A byte stream, framed by Content-Length (RFC 3261 §18.3).
    public var isStream: Bool { self != .udp }
}

/// `udp:HOST:PORT`, `tcp:HOST:PORT` or `tls:HOST:PORT`, with IPv6 hosts in brackets (`tcp:[::1]:5060`).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var transport: SIPTransport
    public var host: String
    public var port: UInt16

    public init(_ transport: SIPTransport = .udp, host: String, port: UInt16) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unknownTransport, badHost, badPort

        public var description: String {
            switch self {
            case .unknownTransport:
                return "must start with udp:, tcp: or tls:, e.g. \"udp:127.0.0.1:5060\" or \"tls:127.0.0.1:5061\""
            case .badHost: return "must name an IPv4 address or a bracketed IPv6 address, e.g. \"tcp:[::1]:5060\""
            case .badPort: return "must end with a port number 1-65535, e.g. \"udp:127.0.0.1:5060\""
            }
        }
    }

    public static func parse(_ text: String) -> Result<ListenAddress, ParseError> {
        guard let colon = text.firstIndex(of: ":"), let transport = SIPTransport(rawValue: text[..<colon].lowercased())
        else { return .failure(.unknownTransport) }
        // After the transport, the same HOST:PORT as `[metrics] listen`; each names its own examples.
        switch MetricsAddress.parse(String(text[text.index(after: colon)...])) {
        case .success(let address): return .success(ListenAddress(transport, host: address.host, port: address.port))
        case .failure(.badHost): return .failure(.badHost)
        case .failure(.badPort): return .failure(.badPort)
        }
    }

    public var isIPv6: Bool { host.contains(":") }

    public var description: String {
        isIPv6 ? "\(transport.rawValue):[\(host)]:\(port)" : "\(transport.rawValue):\(host):\(port)"
    }
}

/// `[tls]` of `switchd.toml`: PEM files (the certificate file may hold the chain), as written (relative
/// paths are read from the configuration directory).
public struct TLSSettings: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// Connections over TCP and TLS (`[limits]` too): what one address, or all of them, may hold open, and
/// how long a connection may stay silent or take to deliver a message.
public struct StreamLimits: Sendable, Equatable {
    public var maxConnections = 10_000
    public var maxConnectionsPerAddress = 64
    /// Seconds from a message's first byte to its last (a slowloris sender is closed after this).
    public var messageTimeout: Double = 10
    /// Seconds without a byte after which a connection is closed (phones keep theirs with CRLF pings).
    public var idleTimeout: Double = 300
    /// The largest message accepted on a stream, headers and body (RFC 3261 has no limit; UDP's is 65,535).
    public var maxMessageBytes = 65_535

    public init() {}
}

/// The `[limits]` section of `switchd.toml`: flood and password-guessing protection per source address.
/// Sources inside any customer's `networks` are exempt.
public struct LimitSettings: Sendable, Equatable {
    /// Requests per second one address may send on average (token refill rate).
    public var rate: Double = 20
    /// Requests one address may send in a burst (bucket size).
    public var burst: Double = 40
    /// Failed authentications within `failureWindow` seconds that ban an address.
    public var authFailuresBeforeBan: Int = 10
    public var failureWindow: Double = 60
    /// How long a ban lasts, in seconds.
    public var banSeconds: Double = 600
    /// At most this many addresses are tracked; the oldest are forgotten first.
    public var maxTrackedAddresses: Int = 65_536
    /// Dropped requests are summarised in the log at most once per this many seconds per address.
    public var logInterval: Double = 10
    /// Requests per second from all untrusted addresses together (and its bucket size): many addresses,
    /// each within its own rate, must not starve the trusted callers.
    public var untrustedRate: Double = 2_000
    public var untrustedBurst: Double = 4_000
    /// Connections over TCP and TLS.
    public var streams = StreamLimits()

    public init() {}

    /// No source is ever rate-limited or banned (its bookkeeping still runs): for the fuzz target and
    /// the test that replays its findings, whose clock never advances, so no bucket would refill.
    public static var unlimited: LimitSettings {
        var limits = LimitSettings()
        limits.rate = 1e12
        limits.burst = 1e12
        limits.authFailuresBeforeBan = .max
        limits.untrustedRate = 1e12
        limits.untrustedBurst = 1e12
        return limits
    }
}
