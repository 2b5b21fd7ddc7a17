import Glibc
import NIOCore
import NIOPosix
import PostgresNIO

extension PostgresStoreError {
    /// Maps what PostgresNIO (or a deadline) threw to the store's own error. `connecting` says whether the
    /// failure came while opening a connection: any server error then means the store is unusable.
    static func from(_ error: any Error, server: String, operation: String, connecting: Bool) -> PostgresStoreError {
        switch error {
        case let error as PostgresStoreError:
            return error
        case let failure as SchemaFailure:
            return from(failure, server: server, operation: operation)
        case let error as DeadlineExceeded:
            return .timedOut(server: server, operation: error.operation, seconds: error.seconds)
        case let error as PSQLError:
            return from(error, server: server, operation: operation, connecting: connecting)
        case let error as PostgresDecodingError:
            return .badRow("column \(error.columnName): \(error.code)")
        default:
            return .unreachable(server: server, reason: "\(error)")
        }
    }

    /// The server refused a statement of the migration: a mistake (permissions, say) unless its
    /// SQLSTATE is of the outage classes; a lost connection or a newer schema is mapped as usual.
    private static func from(_ failure: SchemaFailure, server: String, operation: String) -> PostgresStoreError {
        guard let error = failure.underlying as? PSQLError, error.code == .server else {
            return from(failure.underlying, server: server, operation: operation, connecting: true)
        }
        let state = error.serverInfo?[.sqlState] ?? "?????"
        if Self.outageClasses.contains(where: state.hasPrefix) {
            return .unreachable(server: server, reason: "\(error.serverInfo?[.message] ?? "no message") (SQLSTATE \(state))")
        }
        return .schemaFailed(server: server, sqlState: state, message: error.serverInfo?[.message] ?? "no message")
    }

    /// Class 08 (connection exception), 53 (insufficient resources) and 57 (operator intervention:
    /// shutdown, crash recovery) are outages, not mistakes in the statement.
    static let outageClasses = ["08", "53", "57"]

    private static func from(_ error: PSQLError, server: String, operation: String, connecting: Bool) -> PostgresStoreError {
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?????"
            let message = error.serverInfo?[.message] ?? "no message"
            if connecting { return .refused(server: server, sqlState: state, message: message) }
            if outageClasses.contains(where: state.hasPrefix) {
                return .unreachable(server: server, reason: "\(message) (SQLSTATE \(state))")
            }
            return .queryFailed(sqlState: state, message: message)
        }
        if case ChannelError.connectTimeout(let amount)? = error.underlying as? ChannelError {
            return .timedOut(
                server: server, operation: "connecting", seconds: Double(amount.nanoseconds) / 1_000_000_000)
        }
        return .unreachable(server: server, reason: reason(error))
    }

    /// PSQLError's own description hides everything (so as not to leak queries into logs); say which
    /// connection failure it was, and the system's words for the cause.
    private static func reason(_ error: PSQLError) -> String {
        let what: String
        switch error.code {
        case .serverClosedConnection: what = "the server closed the connection"
        case .uncleanShutdown: what = "the connection was cut"
        case .clientClosedConnection: what = "the connection was closed"
        case .connectionError: what = "cannot connect"
        default: what = "\(error.code)"
        }
        guard let underlying = error.underlying else { return what }
        return "\(what): \(systemReason(underlying))"
    }

    /// "Connection refused" rather than NIO's nested debug description of every attempt.
    private static func systemReason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            guard !error.connectionErrors.isEmpty else { return "cannot resolve \(error.host)" }
            var reasons: [String] = []
            for failure in error.connectionErrors {
                let reason = systemReason(failure.error)
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            return reasons.joined(separator: "; ")
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        default:
            return "\(error)"
        }
    }
}
