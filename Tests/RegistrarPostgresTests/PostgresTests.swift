import Foundation
import Logging
import Registrar
import Testing

@testable import RegistrarPostgres

/// Everything that needs the real server of Tests/cluster/run.sh. One suite, run serially: the tests
/// share one table, and one of them stops the server.
@Suite("PostgreSQL store", .serialized, .enabled(if: TestDatabase.isConfigured, TestDatabase.notConfigured))
struct PostgresTests {}

extension PostgresTests {
    @Suite("Schema and writes")
    struct Store {
        @Test("the schema is created once: again and concurrently it is left as it is")
        func schemaIdempotent() async throws {
            let first = try TestDatabase.store(node: "schema-1")
            defer { first.close() }
            #expect(try await background { try first.schemaVersion() } == Schema.version)

            // Nodes starting together: each connection migrates, under the advisory lock.
            let stores = try (0..<4).map { try TestDatabase.store(node: "schema-concurrent-\($0)") }
            defer { stores.forEach { $0.close() } }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for store in stores {
                    group.addTask { try await background { try store.schemaVersion() } }
                }
                for try await version in group { #expect(version == Schema.version) }
            }
            let again = try TestDatabase.store(node: "schema-2")
            defer { again.close() }
            #expect(try await background { try again.schemaVersion() } == 1)
        }

        @Test("every field of a binding comes back as written, and an upsert replaces each one")
        func roundTrip() async throws {
            let store = try TestDatabase.store(node: "round-trip")
            defer { store.close() }
            let written = [
                Binding(
                    aor: Samples.acme201, contact: "<sip:201@10.0.0.5:5060;transport=tcp;ob>;+sip.instance=\"<urn:uuid:1>\"",
                    target: "sip:201@198.51.100.7:40312;transport=tcp", callID: "a84b4c76e66710@pc33.example 'x' \\ \"y\"",
                    cseq: UInt32.max, expiresAt: 1_767_225_600.123_456_7, q: 0.875, source: "[2001:db8::1]:40312",
                    transport: "TCP", userAgent: "Yealink SIP-T46S 66.86.0.15 — ünïcödé ☎", updatedAt: 1_767_222_000.000_001),
                Binding(
                    aor: Samples.acme201, contact: "sip:201@192.0.2.9", target: "sip:201@192.0.2.9", callID: "c2",
                    cseq: 0, expiresAt: 0, q: nil, source: "192.0.2.9:5060", transport: "UDP", userAgent: nil,
                    updatedAt: -1.5),
                Samples.binding(Samples.globex100, "sip:100@192.0.2.20", cseq: 7, q: 1, userAgent: ""),
            ]
            let loaded = try await background {
                try TestDatabase.clear(store)
                try store.write(written.map { .upsert($0) })
                return try store.load()
            }
            #expect(Samples.sorted(loaded) == Samples.sorted(written))

            var replaced = written[0]
            replaced.target = "sip:201@203.0.113.1:5060"
            replaced.callID = "new-call"
            replaced.cseq = 42
            replaced.expiresAt += 60
            replaced.q = nil
            replaced.source = "203.0.113.1:5060"
            replaced.transport = "TLS"
            replaced.userAgent = nil
            replaced.updatedAt += 60
            let reloaded = try await background { [replaced] in
                try store.write([.upsert(replaced)])
                return try store.load()
            }
            #expect(Samples.sorted(reloaded) == Samples.sorted([replaced, written[1], written[2]]))
        }

        @Test("several changes apply in order, in one transaction")
        func severalChanges() async throws {
            let store = try TestDatabase.store(node: "several")
            defer { store.close() }
            let a1 = Samples.binding(Samples.acme201, "sip:a1@192.0.2.1")
            let a2 = Samples.binding(Samples.acme201, "sip:a2@192.0.2.2")
            let b1 = Samples.binding(Samples.acme202, "sip:b1@192.0.2.3")
            let b2 = Samples.binding(Samples.acme202, "sip:b2@192.0.2.4")
            var a2Renewed = a2
            a2Renewed.cseq = 99
            let a3 = Samples.binding(Samples.acme201, "sip:a3@192.0.2.5", cseq: 3)
            let b3 = Samples.binding(Samples.acme202, "sip:b3@192.0.2.6", cseq: 4)
            let g1 = Samples.binding(Samples.globex100, "sip:g1@192.0.2.7", cseq: 5)
            let loaded = try await background { [a2Renewed] in
                try TestDatabase.clear(store)
                try store.write([.upsert(a1), .upsert(a2), .upsert(b1), .upsert(b2)])
                try store.write([
                    .remove(Samples.acme201, contact: a1.contact), .upsert(a2Renewed), .upsert(a3),
                    .removeAll(Samples.acme202), .upsert(b3), .upsert(g1), .remove(Samples.globex100, contact: "sip:none"),
                ])
                return try store.load()
            }
            #expect(Samples.sorted(loaded) == Samples.sorted([a2Renewed, a3, b3, g1]))
        }

        @Test("a change the server refuses rolls the whole write back; the store goes on")
        func rollback() async throws {
            let store = try TestDatabase.store(node: "rollback")
            defer { store.close() }
            let kept = Samples.binding(Samples.acme201, "sip:kept@192.0.2.1")
            let lost = Samples.binding(Samples.acme202, "sip:lost@192.0.2.2")
            // PostgreSQL's text cannot hold a NUL: the second upsert fails after the first succeeded.
            let refused = Samples.binding(Samples.acme202, "sip:nul\u{0}@192.0.2.3")
            try await background {
                try TestDatabase.clear(store)
                try store.write([.upsert(kept)])
            }
            let error = try await storeError {
                try store.write([.removeAll(Samples.acme201), .upsert(lost), .upsert(refused)])
            }
            guard case .queryFailed(let sqlState, _)? = error else {
                Issue.record("expected queryFailed, got \(String(describing: error))")
                return
            }
            #expect(sqlState == "22021")
            #expect(try await background { try store.load() } == [kept])
            try await background { try store.write([.upsert(lost)]) }
            #expect(Samples.sorted(try await background { try store.load() }) == [kept, lost])
        }

        @Test("the Unix socket form of the URL reaches the same server")
        func unixSocket() async throws {
            let directory = try #require(TestDatabase.directory, "SWITCHD_TEST_POSTGRES_DIR")
            let url = "postgresql://switchd@:\(try TestDatabase.port())/switchd?host=\(directory)"
            let tcp = try TestDatabase.store(node: "tcp")
            let socket = try TestDatabase.store(node: "socket", url: url)
            defer {
                tcp.close()
                socket.close()
            }
            let binding = Samples.binding(Samples.globex100, "sip:socket@192.0.2.1")
            let loaded = try await background {
                try TestDatabase.clear(tcp)
                try tcp.write([.upsert(binding)])
                return try socket.load()
            }
            #expect(loaded == [binding])
        }

        @Test("a wrong password is the server's refusal, named")
        func wrongPassword() async throws {
            let port = try TestDatabase.port()
            let store = try TestDatabase.store(node: "password", url: "postgresql://switchd:wrong@127.0.0.1:\(port)/switchd")
            defer { store.close() }
            let error = try await storeError { _ = try store.load() }
            #expect(
                error?.description
                    == "PostgreSQL at 127.0.0.1:\(port) refused the connection: password authentication failed for user \"switchd\" (SQLSTATE 28P01)"
            )
        }

        @Test("after close() every call throws .closed, and close() again does nothing")
        func closed() async throws {
            let store = try TestDatabase.store(node: "closed")
            _ = try await background { try store.load() }
            store.close()
            store.close()
            #expect(syncStoreError { _ = try store.load() } == .closed)
            #expect(syncStoreError { try store.write([]) } == .closed)
            #expect(syncStoreError { try store.startListening(onChange: { _ in }, onResync: { _ in }) } == .closed)
        }
    }
}
