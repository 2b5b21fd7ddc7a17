/// Why a store could not load or write bindings. The message names the file where there is one, for
/// the admin reading the log.
public enum BindingStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists but is not an SQLite database (or is damaged beyond reading).
    case notADatabase(path: String)
    /// It could not be opened or created (missing directory, permissions, locked).
    case cannotOpen(path: String, reason: String)
    /// Opened, but reading or writing failed (disk full, I/O error, a row that does not decode).
    case failed(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            "\(path): not an SQLite database (move it away or point the registrar's store elsewhere)"
        case .cannotOpen(let path, let reason):
            "\(path): cannot open the bindings database: \(reason)"
        case .failed(let path, let operation, let reason):
            "\(path): \(operation) failed: \(reason)"
        }
    }
}
