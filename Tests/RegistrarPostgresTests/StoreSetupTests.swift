import Logging
import RegistrarPostgres
import RegistrarPostgresURL
import Testing

/// What a store checks before it ever connects.
@Suite("Store setup")
struct StoreSetupTests {
    @Test("the store refuses a bad URL with the parser's message, without connecting")
    func storeRefusesBadURL() {
        do {
            _ = try PostgresBindingStore(url: "postgresql://switchd@127.0.0.1:99999/switchd", logger: Logger(label: "t"))
            Issue.record("a bad URL was accepted")
        } catch {
            #expect(error == .badURL(.badPort("99999")))
            #expect(error.description == "store URL port \"99999\" is not a number from 1 to 65535")
        }
    }

    @Test(
        "node IDs are checked",
        arguments: [
            ("", "registrar node ID is empty"),
            (String(repeating: "n", count: 65), "registrar node ID is longer than 64 bytes"),
            ("node\n1", "registrar node ID has a control character"),
        ])
    func nodeIDs(nodeID: String, message: String) {
        do {
            _ = try PostgresBindingStore(url: "postgresql://u@h/d", nodeID: nodeID, logger: Logger(label: "t"))
            Issue.record("node ID \(nodeID) was accepted")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the default node ID is valid, and differs between stores")
    func defaultNodeID() throws {
        let first = try PostgresBindingStore(url: "postgresql://u@h/d", logger: Logger(label: "t"))
        let second = try PostgresBindingStore(url: "postgresql://u@h/d", logger: Logger(label: "t"))
        defer {
            first.close()
            second.close()
        }
        #expect(first.nodeID != second.nodeID)
        #expect(first.nodeID.utf8.count <= PostgresBindingStore.maximumNodeIDLength)
    }
}
