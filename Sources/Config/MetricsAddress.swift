import Addressing

/// `[metrics] listen`: where the HTTP endpoint for Prometheus and health checks is bound, `HOST:PORT`
/// with an IPv6 host in brackets (`[::1]:9090`). Only an IP address: the endpoint tells anyone who can
/// reach it what the daemon is doing, so the admin names exactly where it may be reached.
public struct MetricsAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    /// 0 lets the system pick a free port (tests); the conf and the command line ask for 1-65535.
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case badHost, badPort

        public var description: String {
            switch self {
            case .badHost:
                return "must name an IPv4 address or a bracketed IPv6 address, e.g. \"127.0.0.1:9090\" or \"[::1]:9090\""
            case .badPort: return "must end with a port number 1-65535, e.g. \"127.0.0.1:9090\""
            }
        }
    }

    public static func parse(_ text: String) -> Result<MetricsAddress, ParseError> {
        guard let portColon = text.lastIndex(of: ":") else { return .failure(.badPort) }
        var host = String(text[..<portColon])
        guard let port = UInt16(text[text.index(after: portColon)...]), port > 0 else { return .failure(.badPort) }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard let address = IPAddress(host), !address.isIPv4 else { return .failure(.badHost) }
        } else {
            guard let address = IPAddress(host), address.isIPv4 else { return .failure(.badHost) }
        }
        return .success(MetricsAddress(host: host, port: port))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
