import GRDB

/// `store = "sqlite"`: bindings in one SQLite file (GRDB over the system's libsqlite3), so a restart
/// keeps every registration.
///
/// Durability: WAL journal with `synchronous = NORMAL`. A transaction is in the WAL file (the OS's
/// page cache) when `write` returns, so a process killed with `kill -9` loses nothing it wrote; the
/// WAL is fsynced only at checkpoints, so a power loss or kernel crash may roll back the transactions
/// since the last checkpoint, never corrupting the file. `synchronous = FULL` would fsync every commit
/// (milliseconds each on most disks) to survive power loss too; phones re-register within their expiry,
/// so the registrar trades that window for throughput.
public final class SQLiteBindingStore: BindingStore {
    public let path: String
    let database: DatabaseQueue

    /// Opens (or creates) the file and brings its schema up to date. Throws `BindingStoreError`:
    /// `.notADatabase` for a file that is not SQLite, `.cannotOpen` for a path that cannot be opened.
    public init(path: String) throws(BindingStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.journalMode = .wal
        // A `switchd registrations` reading the file from another process may hold a read lock while
        // the WAL is checkpointed: wait for it rather than fail the write.
        configuration.busyMode = .timeout(2)
        configuration.prepareDatabase { db in
            // Also what GRDB sets for WAL; stated here because the durability above depends on it.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(database)
        } catch {
            throw Self.storeError(error, path: path, operation: "open")
        }
    }

    /// A store over an open queue (`reading(path:)`).
    init(path: String, database: DatabaseQueue) {
        self.path = path
        self.database = database
    }

    public func load() throws -> [Binding] {
        do {
            return try database.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT \(SQLiteSchema.columns) FROM binding")
                return try rows.map(Self.binding(from:))
            }
        } catch {
            throw Self.storeError(error, path: path, operation: "load")
        }
    }

    /// One transaction for all the changes: all of them are stored, or none.
    public func write(_ changes: [BindingChange]) throws {
        do {
            try database.write { db in
                for change in changes { try Self.apply(change, in: db) }
            }
        } catch {
            throw Self.storeError(error, path: path, operation: "write")
        }
    }

    /// Closes the file (after this, every call throws). Dropping the store closes it too.
    public func close() throws {
        do { try database.close() } catch { throw Self.storeError(error, path: path, operation: "close") }
    }

    /// A pragma as the store's own connection sees it (tests check `synchronous`, which is per
    /// connection and so cannot be read from another).
    func pragma(_ name: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    private static func apply(_ change: BindingChange, in db: Database) throws {
        switch change {
        case .upsert(let b):
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO binding (\(SQLiteSchema.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            try statement.execute(arguments: [
                b.aor.customerID, b.aor.extensionNumber, b.contact, b.target, b.callID, Int64(b.cseq), b.expiresAt,
                b.q, b.source, b.transport, b.userAgent, b.updatedAt,
            ])
        case .remove(let aor, let contact):
            let statement = try db.cachedStatement(
                sql: "DELETE FROM binding WHERE customer = ? AND extension = ? AND contact = ?")
            try statement.execute(arguments: [aor.customerID, aor.extensionNumber, contact])
        case .removeAll(let aor):
            let statement = try db.cachedStatement(sql: "DELETE FROM binding WHERE customer = ? AND extension = ?")
            try statement.execute(arguments: [aor.customerID, aor.extensionNumber])
        case .removeExpired(let before):
            let statement = try db.cachedStatement(sql: "DELETE FROM binding WHERE expires_at <= ?")
            try statement.execute(arguments: [before])
        }
    }

    /// Throwing decodes: GRDB's subscripts trap on a value of the wrong type.
    private static func binding(from row: Row) throws -> Binding {
        let cseq = try row.decode(Int64.self, atIndex: 5)
        guard let cseq = UInt32(exactly: cseq) else { throw RowProblem(description: "cseq \(cseq) out of range") }
        return Binding(
            aor: AddressOfRecord(
                customerID: try row.decode(String.self, atIndex: 0), extensionNumber: try row.decode(String.self, atIndex: 1)),
            contact: try row.decode(String.self, atIndex: 2),
            target: try row.decode(String.self, atIndex: 3),
            callID: try row.decode(String.self, atIndex: 4),
            cseq: cseq,
            expiresAt: try row.decode(Double.self, atIndex: 6),
            q: try row.decode(Double?.self, atIndex: 7),
            source: try row.decode(String.self, atIndex: 8),
            transport: try row.decode(String.self, atIndex: 9),
            userAgent: try row.decode(String?.self, atIndex: 10),
            updatedAt: try row.decode(Double.self, atIndex: 11))
    }

    private struct RowProblem: Error, CustomStringConvertible {
        var description: String
    }

    static func storeError(_ error: any Error, path: String, operation: String) -> BindingStoreError {
        guard let error = error as? DatabaseError else {
            return .failed(path: path, operation: operation, reason: String(describing: error))
        }
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CANTOPEN, .SQLITE_PERM: return .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        default: return .failed(path: path, operation: operation, reason: error.message ?? "\(error.resultCode)")
        }
    }
}
