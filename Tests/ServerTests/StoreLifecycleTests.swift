// The registrar store's lifetime in the daemon: opened only once the sockets are bound and the workers
// allowed, closed at stop (after the last write) rather than whenever the process lets go of it.
import Config
import Foundation
import Logging
import Routing
import Server
import Testing

@Suite("Registrar store lifecycle")
struct StoreLifecycleTests {
    private static func server(_ conf: TempConfDirectory, port: UInt16, workers: Int? = nil) throws -> SIPServer {
        var logger = Logger(label: "switchd-store-lifecycle-tests")
        logger.logLevel = .critical
        return try SIPServer(
            configuration: try ConfigLoader.load(directory: conf.path), configDirectory: conf.path,
            listen: [ListenAddress(host: "127.0.0.1", port: port)], workers: workers, logger: logger)
    }

    @Test("a port in use or too many workers fail the start before the store is opened: no var/ is made")
    func failedStartTouchesNoStore() throws {
        let running = try TestServer.sample()
        let conf = try TempConfDirectory.sample()
        #expect(throws: IOError.self) { _ = try Self.server(conf, port: running.port) }
        #expect(throws: TooManyWorkers.self) { _ = try Self.server(conf, port: 0, workers: 65) }
        #expect(!FileManager.default.fileExists(atPath: "\(conf.path)/var"))
    }

    @Test("stop closes the SQLite store: its -wal file is checkpointed and removed")
    func stopClosesTheFile() throws {
        let conf = try TempConfDirectory.sample()
        let server = try Self.server(conf, port: 0)
        server.start()
        let wal = "\(conf.path)/var/bindings.sqlite-wal"
        #expect(FileManager.default.fileExists(atPath: wal))
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: wal))
        #expect(FileManager.default.fileExists(atPath: "\(conf.path)/var/bindings.sqlite"))
    }
}
