/// What is wrong with a store URL. Each message names the part at fault and, where it helps, the form
/// expected; none quotes the password, since the message goes to the terminal and the logs.
public enum PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case notPostgresScheme
    case hasFragment
    case slashBeforeAt
    case noUser
    case noHost
    case hostTwice
    case badHost(String)
    case badPort(String)
    case noDatabase
    case badDatabase(String)
    case badEscape(part: String)
    case unknownParameter(String)
    case duplicateParameter(String)
    case badSocketDirectory(String)
    case unsupportedSSLMode(String)

    static let form = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"

    public var description: String {
        switch self {
        case .notPostgresScheme:
            "store URL must start with postgresql:// (or postgres://): \(Self.form)"
        case .hasFragment:
            "store URL has a \"#\": write it as %23 in a password"
        case .slashBeforeAt:
            "store URL has a \"/\" before its \"@\": write a \"/\" in the user or password as %2F"
        case .noUser:
            "store URL names no user: \(Self.form)"
        case .noHost:
            "store URL names no host, nor a socket directory with ?host=/DIR: \(Self.form)"
        case .hostTwice:
            "store URL names both a host and ?host=: give one of them"
        case .badHost(let host):
            "store URL host \"\(host)\" is not a host name, an IPv4 address or a bracketed IPv6 address"
        case .badPort(let port):
            "store URL port \"\(port)\" is not a number from 1 to 65535"
        case .noDatabase:
            "store URL names no database: \(Self.form)"
        case .badDatabase(let name):
            "store URL database \"\(name)\" has a \"/\": a database name is one path segment"
        case .badEscape(let part):
            "store URL has a bad %-escape in the \(part) (% must be followed by two hex digits of UTF-8)"
        case .unknownParameter(let name):
            "store URL parameter \"\(name)\" is not supported (supported: host=/SOCKET/DIR, sslmode=disable)"
        case .duplicateParameter(let name):
            "store URL gives the parameter \"\(name)\" twice"
        case .badSocketDirectory(let value):
            "store URL ?host=\(value) is not an absolute socket directory (such as ?host=/var/run/postgresql)"
        case .unsupportedSSLMode(let mode):
            "store URL asks for sslmode=\(mode), but TLS is not supported yet: use sslmode=disable or leave it out"
        }
    }
}
