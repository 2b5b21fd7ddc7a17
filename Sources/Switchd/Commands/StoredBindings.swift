import ArgumentParser
import Logging
import Registrar
import Routing
import Server

extension ConfOptions {
    /// The daemon's registrar store, read without changing it: the phones registered now. Expired
    /// bindings are not shown (and not removed: that is the daemon's purge). When there is no store
    /// yet there are no phones, and with `sayWhenNone` stderr says why (`route` keeps stderr for
    /// problems: a conf without registrations is none).
    func registeredPhones(_ configuration: Configuration, now: Double, sayWhenNone: Bool) throws -> LocationService {
        let contents: StoredBindingsReader.Contents
        // The command's own message says why a read failed; the store's log would go to stdout, into
        // the listing (logging is not bootstrapped outside `run`).
        var logger = Logger(label: "switchd.cli")
        logger.logLevel = .critical
        do {
            contents = try StoredBindingsReader.read(
                configuration.server.bindingStore, configDirectory: conf, logger: logger)
        } catch {
            printToStandardError("switchd: \(error)")
            throw ExitCode.failure
        }
        var rows: [Binding] = []
        switch contents {
        case .bindings(let stored): rows = stored.filter { $0.isLive(at: now) }
        case .none(let why): if sayWhenNone { printToStandardError("switchd: \(why)") }
        }
        // A memory store under the index: nothing is written anywhere (no row is expired, nothing else
        // registers here).
        return LocationService(
            settings: configuration.server.registrar, store: MemoryBindingStore(), initial: rows, now: now)
    }
}
