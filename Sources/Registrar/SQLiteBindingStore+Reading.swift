import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension SQLiteBindingStore {
    /// Opens an existing bindings file to read it without changing anything on disk: no schema
    /// migration, no journal mode change, no file created (`switchd registrations` and `route` read
    /// the daemon's file this way). `write` throws.
    ///
    /// SQLite creates the `-wal` and `-shm` files even for a read-only connection of a WAL database.
    /// While a daemon has the file open they exist already, and reading through them sees its latest
    /// commits; without them no writer has the file open and everything is in the file itself, which
    /// is then read as immutable (no locks, no side files). Throws `.cannotOpen` for a missing file.
    public static func reading(path: String) throws(BindingStoreError) -> SQLiteBindingStore {
        guard access(path, F_OK) == 0 else { throw .cannotOpen(path: path, reason: "no such file") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        let writerActive = access(path + "-wal", F_OK) == 0
        let location = writerActive ? path : "file:\(uriEscaped(path))?immutable=1"
        do {
            return SQLiteBindingStore(path: path, database: try DatabaseQueue(path: location, configuration: configuration))
        } catch {
            throw storeError(error, path: path, operation: "open")
        }
    }

    /// A path as the path part of an SQLite `file:` URI: `%`, `?` and `#` would end or alter it.
    private static func uriEscaped(_ path: String) -> String {
        var escaped = ""
        for character in path {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
