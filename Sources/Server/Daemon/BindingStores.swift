import Config
import Foundation
import Logging
import Registrar
import RegistrarPostgres

/// Opens the store `[registrar] store` names, connects a cluster's change feed to the location
/// service, and says what the daemon tells the admin when either fails.
public enum BindingStores {
    public struct OpenFailure: Error, CustomStringConvertible {
        public let store: BindingStoreLocation
        public let reason: String
        public var description: String { "registrar store \(store): \(reason)" }
    }

    /// A store and what the daemon does with it besides writing: a cluster's feed of the other nodes'
    /// changes, and closing at stop.
    public struct Opened: Sendable {
        public let store: any BindingStore
        let postgres: PostgresBindingStore?

        /// Feeds the other nodes' changes into `location` (PostgreSQL only; a no-op otherwise).
        public func follow(into location: LocationService, logger: Logger) {
            guard let postgres else { return }
            do {
                try postgres.startListening(
                    onChange: { changes in location.apply(remote: changes) },
                    onResync: { rows in
                        // After a reconnect: first write what this node accepted meanwhile, then take the
                        // database's view (which then includes it) as the whole truth.
                        _ = location.flush()
                        let current = (try? postgres.load()) ?? rows
                        location.apply(remote: BindingStores.replacement(of: location, with: current))
                    })
            } catch {
                logger.error("registrar: cannot follow the cluster's changes", metadata: ["error": "\(error)"])
            }
        }

        public func close() {
            postgres?.stopListening()
            postgres?.close()
        }
    }

    /// A relative SQLite path is taken relative to `configDirectory`.
    public static func open(_ location: BindingStoreLocation, configDirectory: String, logger: Logger) throws(OpenFailure) -> Opened {
        switch location {
        case .memory:
            return Opened(store: MemoryBindingStore(), postgres: nil)
        case .sqlite(let given):
            let path = given.hasPrefix("/") ? given : "\(configDirectory)/\(given)"
            // The folder is the daemon's to make: an admin who names a new path expects it to work.
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw OpenFailure(store: location, reason: "cannot create \(folder): \(error.localizedDescription)")
                }
            }
            do {
                return Opened(store: try SQLiteBindingStore(path: path), postgres: nil)
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
        case .postgresql(let url):
            do {
                let store = try PostgresBindingStore(url: url, logger: logger)
                return Opened(store: store, postgres: store)
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
        }
    }

    /// The changes that make `location`'s memory equal to `rows`: every AOR it holds emptied, then
    /// every row written.
    static func replacement(of location: LocationService, with rows: [Binding]) -> [BindingChange] {
        let held = Set(location.all(now: -Double.infinity).map(\.aor)).union(rows.map(\.aor))
        return held.sorted { "\($0)" < "\($1)" }.map { BindingChange.removeAll($0) } + rows.map { .upsert($0) }
    }

    /// Store outages are logged once when they start and once when they end, never per request.
    static func healthLogger(_ logger: Logger, store: BindingStoreLocation) -> @Sendable (StoreHealthEvent) -> Void {
        { event in
            switch event {
            case .unavailable(let error, let pending):
                logger.error("registrar store unavailable; registrations are kept in memory and written when it is back", metadata: [
                    "store": "\(store)", "error": "\(error)", "pending": "\(pending)",
                ])
            case .recovered(let attempts, let seconds):
                logger.notice("registrar store available again; pending registrations written", metadata: [
                    "store": "\(store)", "attempts": "\(attempts)", "seconds": "\(seconds)",
                ])
            }
        }
    }
}
