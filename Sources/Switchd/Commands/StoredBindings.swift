import ArgumentParser
import Logging
import Registrar
import Routing
import Server

extension ConfOptions {
    /// The daemon's registrar store, read as the daemon reads it at start: the phones registered now.
    /// (`memory` holds nothing outside a running daemon.)
    func registeredPhones(_ configuration: Configuration, now: Double) throws -> LocationService {
        do {
            let opened = try BindingStores.open(
                configuration.server.bindingStore, configDirectory: conf, logger: Logger(label: "switchd.cli"))
            defer { opened.close() }
            return try LocationService(settings: configuration.server.registrar, store: opened.store, now: now)
        } catch {
            printToStandardError("switchd: \(error)")
            throw ExitCode.failure
        }
    }
}
