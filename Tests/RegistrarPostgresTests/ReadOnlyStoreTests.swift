import Logging
import Registrar
import RegistrarPostgres
import Testing

extension PostgresTests {
    /// The command line's read-only store, and a database whose schema the role may not create (a
    /// startup error of the daemon, not an outage it would wait out).
    @Suite("Read-only and refused schemas")
    struct ReadOnly {
        /// A store on another database of the test server.
        static func store(database: String, readOnly: Bool) throws -> PostgresBindingStore {
            let url = try #require(TestDatabase.url, "SWITCHD_TEST_POSTGRES")
            var options = TestDatabase.fastOptions
            options.readOnly = readOnly
            let base = url[..<(try #require(url.lastIndex(of: "/")))]
            return try PostgresBindingStore(
                url: "\(base)/\(database)", nodeID: "read-only", options: options, logger: Logger(label: "t"))
        }

        static func createDatabase(_ name: String, owner: String) throws {
            let directory = try #require(TestDatabase.directory)
            let port = String(try TestDatabase.port())
            try TestDatabase.harnessRun(["sql", directory, port, "DROP DATABASE IF EXISTS \(name)"])
            try TestDatabase.harnessRun(["sql", directory, port, "CREATE DATABASE \(name) OWNER \(owner)"])
        }

        @Test(
            "a read-only store creates no schema (a new database stays empty), and the server refuses its writes",
            .enabled(if: TestDatabase.canRestart))
        func readOnly() async throws {
            try Self.createDatabase("switchd_empty", owner: "switchd")
            let reader = try Self.store(database: "switchd_empty", readOnly: true)
            defer { reader.close() }
            for _ in 0..<2 {
                let error = try await storeError { _ = try reader.load() }
                guard case .queryFailed(let sqlState, _)? = error else {
                    Issue.record("expected the missing table, got \(String(describing: error))")
                    continue
                }
                #expect(sqlState == "42P01")
            }

            let main = try TestDatabase.store(node: "read-only-main")
            defer { main.close() }
            try await background { try TestDatabase.clear(main) }
            let mainReader = try Self.store(database: "switchd", readOnly: true)
            defer { mainReader.close() }
            let binding = Samples.binding(Samples.acme201, "sip:201@192.0.2.77")
            let refused = try await storeError { try mainReader.write([.upsert(binding)]) }
            guard case .queryFailed(let sqlState, _)? = refused else {
                Issue.record("expected a refused write, got \(String(describing: refused))")
                return
            }
            #expect(sqlState == "25006")
            #expect(try await background { try main.load() } == [])
        }

        @Test(
            "a schema the role may not create fails as schemaFailed, naming the cause: no outage to wait out",
            .enabled(if: TestDatabase.canRestart))
        func schemaRefused() async throws {
            try Self.createDatabase("switchd_locked", owner: "postgres")
            let store = try Self.store(database: "switchd_locked", readOnly: false)
            defer { store.close() }
            let error = try await storeError { _ = try store.load() }
            let port = try TestDatabase.port()
            #expect(
                error
                    == .schemaFailed(
                        server: "127.0.0.1:\(port)", sqlState: "42501", message: "permission denied for schema public"))
            #expect(error?.isOutage == false)
            #expect(
                error?.description
                    == "PostgreSQL at 127.0.0.1:\(port) refused to create the bindings schema: permission denied for schema public (SQLSTATE 42501)"
            )
        }
    }
}
