import Config
import Foundation
import Logging
import Registrar

/// Opens the store `[registrar] store` names, and says what the daemon tells the admin when it fails.
public enum BindingStores {
    public struct OpenFailure: Error, CustomStringConvertible {
        public let store: BindingStoreLocation
        public let reason: String
        public var description: String { "registrar store \(store): \(reason)" }
    }

    /// A relative SQLite path is taken relative to `configDirectory`.
    public static func open(_ location: BindingStoreLocation, configDirectory: String) throws(OpenFailure) -> any BindingStore {
        switch location {
        case .memory:
            return MemoryBindingStore()
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
                return try SQLiteBindingStore(path: path)
            } catch {
                throw OpenFailure(store: location, reason: "\(error)")
            }
        case .postgresql:
            throw OpenFailure(store: location, reason: "PostgreSQL stores are not available in this build")
        }
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
