import Logging
import NIOCore
import PostgresNIO

/// The tables, created or migrated on every new connection (idempotent, and cheap next to a connect).
///
/// `switchd_schema_version` holds one row, the number of migrations applied. Migrations run in one
/// transaction under an advisory lock, so that nodes starting together do not race on `CREATE TABLE`
/// (PostgreSQL's `IF NOT EXISTS` is not safe against a concurrent creator).
enum Schema {
    /// Migration `n` (from 1) brings the schema from version `n - 1` to `n`. Append, never edit.
    static let migrations: [[PostgresQuery]] = [
        [
            // Times are seconds since 1970 as double precision: exactly the `Double` of `Binding`, so a
            // round trip changes nothing. cseq is a UInt32, which only bigint holds.
            """
            CREATE TABLE IF NOT EXISTS switchd_bindings (
                customer    text NOT NULL,
                extension   text NOT NULL,
                contact     text NOT NULL,
                target      text NOT NULL,
                call_id     text NOT NULL,
                cseq        bigint NOT NULL CHECK (cseq BETWEEN 0 AND 4294967295),
                expires_at  double precision NOT NULL,
                q           double precision,
                source      text NOT NULL,
                transport   text NOT NULL,
                user_agent  text,
                updated_at  double precision NOT NULL,
                PRIMARY KEY (customer, extension, contact)
            )
            """
        ]
    ]

    static var version: Int { migrations.count }

    /// Any number, the same in every switchd: the advisory lock that serialises migrations.
    private static let lockKey: Int64 = 0x7377_6974_6368_6400

    static func migrate(_ connection: PostgresConnection, logger: Logger) -> EventLoopFuture<Void> {
        connection.inTransaction(logger: logger) {
            connection.runInOrder(
                [
                    "SELECT pg_advisory_xact_lock(\(lockKey))",
                    """
                    CREATE TABLE IF NOT EXISTS switchd_schema_version (
                        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                        version  integer NOT NULL
                    )
                    """,
                    "INSERT INTO switchd_schema_version (version) VALUES (0) ON CONFLICT DO NOTHING",
                ], logger: logger
            )
            .flatMap { readVersion(connection, logger: logger) }
            .flatMap { found in
                guard found <= version else {
                    return connection.eventLoop.makeFailedFuture(
                        PostgresStoreError.schemaTooNew(found: found, supported: version))
                }
                guard found < version else { return connection.eventLoop.makeSucceededVoidFuture() }
                let pending = migrations[max(found, 0)...].flatMap { $0 }
                return connection.runInOrder(
                    pending + ["UPDATE switchd_schema_version SET version = \(version)"], logger: logger)
            }
        }
    }

    static func readVersion(_ connection: PostgresConnection, logger: Logger) -> EventLoopFuture<Int> {
        connection.query("SELECT version FROM switchd_schema_version", logger: logger).flatMapThrowing { result in
            guard let row = result.first else { throw PostgresStoreError.badRow("switchd_schema_version is empty") }
            return Int(try row.decode(Int32.self))
        }
    }
}
