import Config
import Foundation
import Logging
import Registrar
import RegistrarPostgres

/// Reads the daemon's registrar store for the command line (`switchd registrations`, `route`) without
/// changing it: no write, no schema migration, no directory or file created (see
/// `SQLiteBindingStore.reading(path:)`, `PostgresStoreOptions.readOnly`).
public enum StoredBindingsReader {
    /// What the store holds, or why it holds nothing.
    public enum Contents: Sendable {
        case bindings([Binding])
        /// There is no store to read yet (the daemon never ran on it): no bindings, and the sentence
        /// that says so.
        case none(String)
    }

    /// Every stored binding, expired ones included (the caller shows only the live ones).
    public static func read(_ location: BindingStoreLocation, configDirectory: String, logger: Logger) throws(BindingStores
        .OpenFailure) -> Contents
    {
        switch location {
        case .memory:
            return .none("the registrar store is \"memory\": only a running daemon holds its bindings")
        case .sqlite(let given):
            let path = BindingStores.sqlitePath(given, configDirectory: configDirectory)
            guard FileManager.default.fileExists(atPath: path) else {
                return .none("\(path) does not exist: no bindings (the daemon creates it at its first start)")
            }
            do {
                let store = try SQLiteBindingStore.reading(path: path)
                defer { try? store.close() }
                return .bindings(try store.load())
            } catch {
                throw BindingStores.OpenFailure(store: location, reason: "\(error)")
            }
        case .postgresql(let url):
            var options = PostgresStoreOptions()
            options.readOnly = true
            do {
                let store = try PostgresBindingStore(url: url, options: options, logger: logger)
                defer { store.close() }
                return .bindings(try store.load())
            } catch .queryFailed(let sqlState, _) where sqlState == undefinedTable {
                return .none(
                    "the PostgreSQL store has no bindings table yet: no bindings (the daemon creates it at its first start)")
            } catch {
                throw BindingStores.OpenFailure(store: location, reason: "\(error)")
            }
        }
    }

    /// SQLSTATE 42P01: the table the daemon creates does not exist yet.
    private static let undefinedTable = "42P01"
}
