/// Where a PostgreSQL binding store lives, parsed from `[registrar] store` (issue 10).
///
/// Supported forms (a subset of libpq's connection URIs, so that an admin can paste the same URL into
/// `psql`):
///
/// ```
/// postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE         TCP; HOST is a name, IPv4, or [IPv6]
/// postgresql://USER[:PASSWORD]@[:PORT]/DATABASE?host=/DIR   Unix socket DIR/.s.PGSQL.PORT
/// ```
///
/// `postgres://` is accepted too; PORT defaults to 5432. USER, PASSWORD and DATABASE may carry
/// %-escapes (a `/`, `@`, `:` or `?` in a password must be escaped: `%2F`, `%40`, `%3A`, `%3F`).
/// The only parameters are `host` (an absolute socket directory) and `sslmode=disable`; TLS is not
/// supported yet, so any other `sslmode` is refused rather than silently sending a password in clear.
///
/// This module imports nothing, so the configuration loader can check a URL at `switchd check` time
/// without linking a database driver or opening a connection.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum Server: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// PostgreSQL's socket file in `directory` is `.s.PGSQL.<port>`.
        case unixSocket(directory: String, port: Int)
    }

    public static let defaultPort = 5432

    public var server: Server
    public var user: String
    public var password: String?
    public var database: String

    public init(server: Server, user: String, password: String?, database: String) {
        self.server = server
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses `text`, naming the first part that is wrong. The error never quotes the password.
    public init(parsing text: String) throws(PostgresURLError) {
        self = try PostgresURLParser.parse(text)
    }

    /// The socket file of a `.unixSocket` server, the TCP `HOST:PORT` otherwise: what logs call "the server".
    public var serverDescription: String {
        switch server {
        case .tcp(let host, let port):
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let directory, let port):
            "\(directory)/.s.PGSQL.\(port)"
        }
    }

    /// The URL with the password left out, fit for logs and error messages.
    public var description: String {
        let credentials = password == nil ? user : "\(user):***"
        switch server {
        case .tcp:
            return "postgresql://\(credentials)@\(serverDescription)/\(database)"
        case .unixSocket(let directory, let port):
            return "postgresql://\(credentials)@:\(port)/\(database)?host=\(directory)"
        }
    }
}
