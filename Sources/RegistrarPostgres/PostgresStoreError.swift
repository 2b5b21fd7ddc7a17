import RegistrarPostgresURL

/// Why a `PostgresBindingStore` call failed. `unreachable`, `timedOut` and `refused` mean the store
/// cannot be used right now (the location service keeps its changes and writes them again later);
/// the others are mistakes that retrying does not mend.
public enum PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case badURL(PostgresURLError)
    /// The node ID is empty, longer than `PostgresBindingStore.maximumNodeIDLength` bytes, or has
    /// control characters.
    case badNodeID(String)
    /// No connection could be made or kept (refused, reset, closed by the server).
    case unreachable(server: String, reason: String)
    /// The call took longer than its limit (`PostgresStoreOptions.requestTimeout` or `connectTimeout`).
    case timedOut(server: String, operation: String, seconds: Double)
    /// The server answered the connection with an error: authentication, an unknown database or role,
    /// too many connections, a server shutting down.
    case refused(server: String, sqlState: String, message: String)
    /// The server refused a statement (`sqlState` is PostgreSQL's error code).
    case queryFailed(sqlState: String, message: String)
    /// The server answered, but refused to create or migrate the schema (a role without the right to
    /// create tables, say): a mistake of the setup, not an outage.
    case schemaFailed(server: String, sqlState: String, message: String)
    /// The database was migrated by a newer switchd than this one.
    case schemaTooNew(found: Int, supported: Int)
    /// A stored row this switchd cannot read back as a `Binding`.
    case badRow(String)
    case closed
    /// `load`, `write` and `close` block their thread; on a SwiftNIO event loop thread that would stall
    /// every connection served by that loop (or deadlock on our own), so they refuse instead.
    case calledOnEventLoop
    case alreadyListening

    public var description: String {
        switch self {
        case .badURL(let error):
            error.description
        case .badNodeID(let why):
            "registrar node ID \(why)"
        case .unreachable(let server, let reason):
            "PostgreSQL at \(server) is unreachable: \(reason)"
        case .timedOut(let server, let operation, let seconds):
            "PostgreSQL at \(server) did not complete \(operation) within \(seconds) s"
        case .refused(let server, let sqlState, let message):
            "PostgreSQL at \(server) refused the connection: \(message) (SQLSTATE \(sqlState))"
        case .queryFailed(let sqlState, let message):
            "PostgreSQL refused a statement: \(message) (SQLSTATE \(sqlState))"
        case .schemaFailed(let server, let sqlState, let message):
            "PostgreSQL at \(server) refused to create the bindings schema: \(message) (SQLSTATE \(sqlState))"
        case .schemaTooNew(let found, let supported):
            "the bindings schema is at version \(found), newer than the \(supported) this switchd knows: upgrade switchd"
        case .badRow(let why):
            "a stored binding cannot be read: \(why)"
        case .closed:
            "the PostgreSQL binding store is closed"
        case .calledOnEventLoop:
            "the PostgreSQL binding store was called on a SwiftNIO event loop thread, which it must not block"
        case .alreadyListening:
            "the PostgreSQL binding store already has a change listener"
        }
    }

    /// Whether the failure says the server cannot be used now (an outage, which retrying mends), rather
    /// than a mistake (a bad URL, a schema the role may not create, a newer schema).
    public var isOutage: Bool {
        switch self {
        case .unreachable, .timedOut, .refused: true
        default: false
        }
    }
}
