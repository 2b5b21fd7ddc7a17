import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import RegistrarPostgresURL

/// Opens connections to the store's server, each with the schema migrated, within the request timeout.
final class Connector: Sendable {
    let server: String
    private let configuration: PostgresConnection.Configuration
    private let options: PostgresStoreOptions
    private let logger: Logger
    private let lastID = NIOLockedValueBox(0)

    init(url: PostgresURL, nodeID: String, options: PostgresStoreOptions, logger: Logger) {
        var configuration: PostgresConnection.Configuration
        switch url.server {
        case .tcp(let host, let port):
            configuration = .init(
                host: host, port: port, username: url.user, password: url.password, database: url.database,
                tls: .disable)
        case .unixSocket(let directory, let port):
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: url.user, password: url.password,
                database: url.database)
        }
        configuration.options.connectTimeout = options.connectTimeout.timeAmount
        // Names the node in pg_stat_activity, for the admin looking at who holds connections.
        configuration.options.additionalStartupParameters = [("application_name", "switchd \(nodeID)")]
        if options.readOnly {
            // The server itself refuses every write of the session, whatever a caller attempts.
            configuration.options.additionalStartupParameters.append(("default_transaction_read_only", "on"))
        }
        self.configuration = configuration
        self.server = url.serverDescription
        self.options = options
        self.logger = logger
    }

    /// A connection with the schema up to date (as it is, when `readOnly`), or a failure, by
    /// `deadline`. A connection that arrives after its deadline is closed, not leaked. A failed
    /// migration fails as `SchemaFailure`, so that it is told apart from an outage.
    func open(on loop: any EventLoop, by deadline: NIODeadline) -> EventLoopFuture<PostgresConnection> {
        let id = lastID.withLockedValue { id in
            id += 1
            return id
        }
        let logger = logger
        let migrates = !options.readOnly
        let ready = PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger)
            .flatMap { connection in
                guard migrates else { return connection.eventLoop.makeSucceededFuture(connection) }
                return Schema.migrate(connection, logger: logger).map { connection }.flatMapError { error in
                    connection.closeNow().recover { _ in () }.flatMapThrowing { throw SchemaFailure(underlying: error) }
                }
            }
        let bounded = ready.within(deadline, operation: "connecting", seconds: options.requestTimeout.secondsValue)
        bounded.whenFailure { _ in
            ready.whenSuccess { connection in connection.closeNow() }
        }
        return bounded
    }

    /// Maps what a call on this server threw (see `PostgresStoreError.from`).
    func storeError(_ error: any Error, operation: String, connecting: Bool) -> PostgresStoreError {
        PostgresStoreError.from(error, server: server, operation: operation, connecting: connecting)
    }
}

/// A statement of the schema migration failed (see `PostgresStoreError.from`).
struct SchemaFailure: Error {
    let underlying: any Error
}
