import Config
import Foundation
import Logging
import Registrar
import RegistrarPostgres
import Synchronization

/// Opens the store `[registrar] store` names, starts the location service on it (also while a
/// cluster's server is down), connects a cluster's change feed, and says what the daemon tells the
/// admin when any of it fails.
public enum BindingStores {
    public struct OpenFailure: Error, CustomStringConvertible {
        public let store: BindingStoreLocation
        public let reason: String
        public var description: String { "registrar store \(store): \(reason)" }
    }

    /// A store and what the daemon does with it besides writing: a cluster's feed of the other nodes'
    /// changes, and closing at stop.
    public struct Opened: Sendable {
        public let location: BindingStoreLocation
        public let store: any BindingStore
        let postgres: PostgresBindingStore?

        /// The location service over the store, with every live binding loaded. A cluster's server
        /// that does not answer is no reason not to start: the service starts empty, the outage is
        /// logged (once, by the service's observer), REGISTERs are accepted and written when it is
        /// back, and the change feed loads every binding then (`follow`). Anything else that fails
        /// the load (a file that is no database, a schema the role may not create) throws.
        public func startLocation(
            settings: RegistrarSettings, now: Double, logger: Logger
        ) throws(OpenFailure) -> LocationService {
            let observer = BindingStores.healthLogger(logger, store: location)
            // From the first call on, the store's own outage reports go to the service, which logs one
            // line for them and its own failed writes together (the load's failure is handed over below).
            let relay = ReachabilityRelay()
            postgres?.reportReachability { event in relay.forward(event) }
            let initial: [Binding]
            var outage: String?
            do {
                initial = try store.load()
            } catch let error as PostgresStoreError where error.isOutage {
                initial = []
                outage = "\(error)"
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
            let service = LocationService(
                settings: settings, store: store, initial: initial, now: now, observer: observer)
            if let outage { service.noteStoreUnavailable(outage) }
            relay.attach(service)
            return service
        }

        /// Feeds the other nodes' changes into `location` (PostgreSQL only; a no-op otherwise). `now`
        /// judges which rows of a resync are live.
        public func follow(into location: LocationService, logger: Logger, now: @escaping @Sendable () -> Double) {
            guard let postgres else { return }
            do {
                try postgres.startListening(
                    onChange: { changes in location.apply(remote: changes) },
                    onResync: { rows in
                        // At the first connection, and after a reconnect: first write what this node
                        // accepted meanwhile, then take the database's view (which then includes it)
                        // as the whole truth, with whatever is still unwritten applied over it.
                        _ = location.flush()
                        let current = (try? postgres.load()) ?? rows
                        location.resync(with: current, now: now())
                    })
            } catch {
                logger.error("registrar: cannot follow the cluster's changes", metadata: ["error": "\(error)"])
            }
        }

        /// Closes the store without a location service (startup failed before one was made).
        public func close(logger: Logger) {
            postgres?.stopListening()
            do { try store.close() } catch {
                logger.error("registrar store: close failed", metadata: ["store": "\(location)", "error": "\(error)"])
            }
        }

        /// At stop: the change feed first (no resync starts after it), then every pending write, then
        /// the store. Logs what could not be written.
        public func close(_ service: LocationService, logger: Logger) {
            postgres?.stopListening()
            do {
                if case .pending(let changes, let error) = try service.close() {
                    logger.error(
                        "registrar store unavailable at stop: registrations not written",
                        metadata: ["store": "\(location)", "pending": "\(changes)", "error": "\(error)"])
                }
            } catch {
                logger.error("registrar store: close failed", metadata: ["store": "\(location)", "error": "\(error)"])
            }
        }
    }

    /// A relative SQLite path is taken relative to `configDirectory`.
    public static func open(_ location: BindingStoreLocation, configDirectory: String, logger: Logger) throws(OpenFailure)
        -> Opened
    {
        switch location {
        case .memory:
            return Opened(location: location, store: MemoryBindingStore(), postgres: nil)
        case .sqlite(let given):
            let path = sqlitePath(given, configDirectory: configDirectory)
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
                return Opened(location: location, store: try SQLiteBindingStore(path: path), postgres: nil)
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
        case .postgresql(let url):
            do {
                let store = try PostgresBindingStore(url: url, logger: logger)
                return Opened(location: location, store: store, postgres: store)
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
        }
    }

    static func sqlitePath(_ given: String, configDirectory: String) -> String {
        given.hasPrefix("/") ? given : "\(configDirectory)/\(given)"
    }

    /// Store outages are logged once when they start and once when they end, never per request; a
    /// full backlog once until it drains.
    static func healthLogger(_ logger: Logger, store: BindingStoreLocation) -> @Sendable (StoreHealthEvent) -> Void {
        { event in
            switch event {
            case .unavailable(let error, let pending):
                logger.error(
                    "registrar store unavailable; registrations are kept in memory and written when it is back",
                    metadata: ["store": "\(store)", "error": "\(error)", "pending": "\(pending)"])
            case .recovered(let attempts, let seconds, let written):
                logger.notice(
                    "registrar store available again; pending registrations written",
                    metadata: [
                        "store": "\(store)", "written": "\(written)", "attempts": "\(attempts)",
                        "seconds": "\(String(format: "%.1f", seconds))",
                    ])
            case .backlogFull(let limit):
                logger.error(
                    "registrar store backlog full; REGISTERs that change bindings get 503 until it is written",
                    metadata: ["store": "\(store)", "limit": "\(limit)"])
            }
        }
    }
}

/// Carries a cluster store's reachability reports to the location service, which exists only once the
/// first load has been tried; reports before then are the load's, which the caller hands over itself.
private final class ReachabilityRelay: Sendable {
    private let target = Mutex<LocationService?>(nil)

    func attach(_ service: LocationService) { target.withLock { $0 = service } }

    func forward(_ event: PostgresReachability) {
        guard let service = target.withLock({ $0 }) else { return }
        switch event {
        case .lost(let error): service.noteStoreUnavailable("\(error)")
        case .regained: service.noteStoreAvailable()
        }
    }
}
