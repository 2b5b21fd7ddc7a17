// The SQLite store: bindings survive closing and reopening, the schema is migrated once, WAL and
// synchronous = NORMAL are in force, and a file that is not a database is a clear error.
import Foundation
import GRDB
import Testing

@testable import Registrar

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("bindings written through a location service are there for a new one over the same file")
    func survivesReopen() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/bindings.sqlite"
            var expected: [Binding] = []
            do {
                let store = try SQLiteBindingStore(path: path)
                let service = try LocationService(settings: settings(), store: store, now: t0)
                let first = service.register(
                    request([.uri("sip:201@192.168.1.20:5060;transport=udp", q: 0.7), .uri(deskContact)], callID: "a"), now: t0)
                let second = service.register(
                    request([.uri("sip:202@phone.example")], aor: acme202, callID: "b", expires: 600, userAgent: nil), now: t0 + 1
                )
                let gone = service.register(request([.uri("sip:201@10.9.9.9")], callID: "c"), now: t0 + 2)
                _ = service.register(request([.uri("sip:201@10.9.9.9", expires: 0)], callID: "c", cseq: 3), now: t0 + 3)
                #expect(gone.bindings?.count == 3)
                #expect(service.flush() == .written)
                expected = (first.bindings ?? []) + (second.bindings ?? [])
                try store.close()
            }
            let reopened = try SQLiteBindingStore(path: path)
            let service = try LocationService(settings: settings(), store: reopened, now: t0 + 10)
            #expect(sortedByContact(service.all(now: t0 + 10)) == sortedByContact(expected))
            #expect(expected.count == 3)
            let nat = service.lookup(acme201, now: t0 + 10).first { $0.q == 0.7 }
            #expect(nat?.target == "sip:201@192.0.2.10:5060;transport=udp")
            #expect(service.lookup(acme202, now: t0 + 10).first?.userAgent == nil)
        }
    }

    @Test("every kind of change is stored: remove, remove all, remove expired")
    func changes() throws {
        try withTemporaryDirectory { directory in
            let store = try SQLiteBindingStore(path: "\(directory)/b.sqlite")
            let a = binding("sip:201@192.0.2.1", expiresAt: t0 + 10)
            let b = binding("sip:201@192.0.2.2", expiresAt: t0 + 20, q: 0.5)
            let c = binding("sip:202@192.0.2.3", aor: acme202, expiresAt: t0 + 30)
            let d = binding("sip:202@192.0.2.4", aor: acme202, expiresAt: t0 + 40)
            try store.write([.upsert(a), .upsert(b), .upsert(c), .upsert(d)])
            #expect(try stored(store) == [a, b, c, d])
            var newerB = b
            newerB.cseq = 9
            try store.write([.upsert(newerB), .remove(acme201, contact: a.contact)])
            #expect(try stored(store) == [newerB, c, d])
            try store.write([.removeExpired(before: t0 + 30)])
            #expect(try stored(store) == [d])
            try store.write([.removeAll(acme202)])
            #expect(try stored(store).isEmpty)
        }
    }

    @Test("the schema is migrated once: reopening changes nothing and keeps the rows")
    func migrationIdempotent() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/b.sqlite"
            try SQLiteBindingStore(path: path).write([.upsert(binding())])
            for _ in 0..<3 { _ = try SQLiteBindingStore(path: path) }
            #expect(try SQLiteBindingStore(path: path).load() == [binding()])
            let database = try DatabaseQueue(path: path)
            let migrations = try database.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(migrations == ["v1: bindings"])
            let tables = try database.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            #expect(tables == ["binding", "grdb_migrations"])
        }
    }

    @Test("WAL journal, synchronous = NORMAL")
    func pragmas() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/b.sqlite"
            let store = try SQLiteBindingStore(path: path)
            #expect(try store.pragma("journal_mode") == "wal")
            // 1 = NORMAL (2 would be FULL); per connection, so read through the store's own.
            #expect(try store.pragma("synchronous") == "1")
            // WAL is a property of the file: another connection sees it too.
            let database = try DatabaseQueue(path: path)
            #expect(try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        }
    }

    @Test("a file that is not a database: .notADatabase naming it, no crash")
    func notADatabase() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/bindings.sqlite"
            try Data(String(repeating: "this is not an SQLite file\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: BindingStoreError.notADatabase(path: path)) { try SQLiteBindingStore(path: path) }
            let message = BindingStoreError.notADatabase(path: path).description
            #expect(message == "\(path): not an SQLite database (move it away or point the registrar's store elsewhere)")
        }
    }

    @Test("a directory that does not exist: .cannotOpen")
    func cannotOpen() throws {
        let path = "/nonexistent-switchd-dir/bindings.sqlite"
        #expect {
            try SQLiteBindingStore(path: path)
        } throws: { error in
            guard case BindingStoreError.cannotOpen(let reported, _) = error else { return false }
            return reported == path
        }
    }

    @Test("rows a hand edit made undecodable are refused at write time (STRICT and CHECK)")
    func strictSchema() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/b.sqlite"
            _ = try SQLiteBindingStore(path: path)
            let database = try DatabaseQueue(path: path)
            #expect(throws: DatabaseError.self) {
                try database.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO binding VALUES ('acme', '201', 'sip:x@h', 'sip:x@h', 'c', 'many', 1.0, NULL, 's', 'UDP', NULL, 1.0)
                            """)
                }
            }
            #expect(throws: DatabaseError.self) {
                try database.write { db in
                    try db.execute(
                        sql:
                            "INSERT INTO binding VALUES ('acme', '201', 'sip:x@h', 'sip:x@h', 'c', 1, 1.0, 7.5, 's', 'UDP', NULL, 1.0)"
                    )
                }
            }
        }
    }
}
