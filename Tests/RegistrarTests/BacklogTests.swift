// The write-through backlog while the store is down: capped, so that an outage cannot grow the process
// without bound, and a REGISTER the backlog cannot take is refused (the daemon answers 503) rather than
// answered as stored. Also the outage as others report it (a failed load at start, a change feed).
import Testing

@testable import Registrar

/// Retries far apart: the tests decide when the store works again.
private let slow = RetryPolicy(initialDelay: 60, maxDelay: 60)

private func contact(_ i: Int) -> String { "sip:201@192.0.2.\(i + 1):5060" }

@Suite("write-through backlog")
struct BacklogTests {
    @Test("at the cap: a REGISTER that changes bindings is refused and changes nothing; queries still answer; reported once")
    func capped() throws {
        let store = FlakyStore()
        store.setDown(true)
        let health = HealthLog()
        let service = LocationService(
            settings: settings(maxContacts: 100), store: store, initial: [], now: t0, retry: slow,
            maximumPendingChanges: 3, observer: health.observer)
        for i in 0..<3 {
            let outcome = service.register(request([.uri(contact(i))], callID: "c\(i)"), now: t0)
            #expect(outcome.bindings?.count == i + 1)
            // The first write fails (the outage begins with one change pending), then a flush's.
            if i == 0 { #expect(service.flush() == .pending(changes: 1, error: "connection refused")) }
        }
        #expect(service.pendingWrites == 3)
        for i in 3..<6 {
            #expect(service.register(request([.uri(contact(i))], callID: "c\(i)"), now: t0) == .storeBacklogFull(limit: 3))
        }
        // A removal is a change too: refused, and the binding stays.
        #expect(
            service.register(request([.uri(contact(0), expires: 0)], callID: "c0", cseq: 3), now: t0)
                == .storeBacklogFull(limit: 3))
        #expect(service.lookup(acme201, now: t0).map(\.contact).sorted() == (0..<3).map(contact).sorted())
        #expect(service.pendingWrites == 3)
        // A query writes nothing: answered with the bindings in memory.
        #expect(service.register(request([]), now: t0).bindings?.count == 3)
        _ = service.flush()
        #expect(health.all == [.unavailable(error: "connection refused", pendingChanges: 1), .backlogFull(limit: 3)])

        store.setDown(false)
        #expect(service.flush() == .written)
        #expect(try stored(store.memory).map(\.contact) == (0..<3).map(contact).sorted())
        let accepted = service.register(request([.uri(contact(3))], callID: "c3"), now: t0)
        #expect(accepted.bindings?.count == 4)
        #expect(service.flush() == .written)
        guard health.all.count == 3, case .recovered(let attempts, _, let written) = health.all[2] else {
            Issue.record("\(health.all)")
            return
        }
        #expect(attempts == 3)
        #expect(written == 3)
    }

    @Test("a backlog that fills again after draining is reported again")
    func reportedPerBacklog() throws {
        let store = FlakyStore()
        let health = HealthLog()
        let service = LocationService(
            settings: settings(maxContacts: 100), store: store, initial: [], now: t0, retry: slow,
            maximumPendingChanges: 1, observer: health.observer)
        for round in 0..<2 {
            store.setDown(true)
            _ = service.register(request([.uri(contact(2 * round))], callID: "a\(round)"), now: t0)
            _ = service.flush()
            let refused = service.register(request([.uri(contact(2 * round + 1))], callID: "b\(round)"), now: t0)
            #expect(refused == .storeBacklogFull(limit: 1))
            store.setDown(false)
            #expect(service.flush() == .written)
        }
        let full = health.all.filter { $0 == .backlogFull(limit: 1) }
        #expect(full.count == 2, "\(health.all)")
    }

    @Test("the purge is not refused at the cap: one condition a minute, and a later one covers an earlier")
    func purgeBypassesTheCap() throws {
        let store = FlakyStore()
        store.setDown(true)
        let service = LocationService(
            settings: settings(), store: store, initial: [binding(expiresAt: t0 + 10)], now: t0, retry: slow,
            maximumPendingChanges: 1)
        _ = service.register(request([.uri(deskContact)], callID: "desk"), now: t0)
        #expect(service.purgeExpired(now: t0 + 20) == 1)
        #expect(service.pendingWrites == 2)
    }

    @Test("an outage seen outside the writes (a failed load, a change feed): one report, then one recovery with nothing to write")
    func reportedByOthers() throws {
        let store = FlakyStore()
        let health = HealthLog()
        let service = LocationService(
            settings: settings(), store: store, initial: [], now: t0, retry: slow, observer: health.observer)
        service.noteStoreUnavailable("PostgreSQL at db:5432 is unreachable: cannot connect: Connection refused")
        service.noteStoreUnavailable("the second report of the same outage")
        _ = service.flush()
        #expect(
            health.all == [
                .unavailable(error: "PostgreSQL at db:5432 is unreachable: cannot connect: Connection refused", pendingChanges: 0)
            ])
        service.noteStoreAvailable()
        service.noteStoreAvailable()
        _ = service.flush()
        #expect(health.all.count == 2)
        guard health.all.count == 2, case .recovered(let attempts, _, let written) = health.all[1] else {
            Issue.record("\(health.all)")
            return
        }
        #expect(attempts == 0)
        #expect(written == 0)
    }

    @Test("started while the store is down: REGISTERs accepted, written when it answers, one report each way")
    func startedDuringOutage() throws {
        let store = FlakyStore()
        store.setDown(true)
        let health = HealthLog()
        let service = LocationService(
            settings: settings(), store: store, initial: [], now: t0, retry: slow, observer: health.observer)
        service.noteStoreUnavailable("down at start")
        let outcome = service.register(request([.uri(phoneContact)]), now: t0)
        #expect(outcome.bindings?.map(\.contact) == [phoneContact])
        #expect(service.flush() == .pending(changes: 1, error: "connection refused"))
        store.setDown(false)
        service.noteStoreAvailable()
        _ = service.flush()
        #expect(try stored(store.memory).map(\.contact) == [phoneContact])
        guard health.all.count == 2, case .recovered(let attempts, _, let written) = health.all[1] else {
            Issue.record("\(health.all)")
            return
        }
        #expect(health.all[0] == .unavailable(error: "down at start", pendingChanges: 0))
        // The write the REGISTER woke, and the flush's.
        #expect(attempts == 2)
        #expect(written == 1)
    }

    @Test("a resync takes the store's rows as memory, with the unwritten changes over them")
    func resync() throws {
        let store = FlakyStore()
        store.setDown(true)
        let service = LocationService(settings: settings(), store: store, initial: [], now: t0, retry: slow)
        _ = service.register(request([.uri(phoneContact)]), now: t0)
        let other = binding("sip:202@192.0.2.20", aor: acme202)
        let lapsed = binding("sip:202@192.0.2.21", aor: acme202, expiresAt: t0 - 1)
        service.resync(with: [other, lapsed], now: t0)
        #expect(service.all(now: t0).map(\.contact) == [phoneContact, "sip:202@192.0.2.20"])
    }

    @Test("close writes what is pending, then closes the store; nothing is written after it")
    func close() throws {
        let store = FlakyStore()
        let service = LocationService(settings: settings(), store: store, initial: [], now: t0, retry: slow)
        _ = service.register(request([.uri(phoneContact)]), now: t0)
        #expect(try service.close() == .written)
        #expect(store.written.count == 1)
        _ = service.register(request([.uri(deskContact)], callID: "late"), now: t0)
        #expect(service.flush() == .pending(changes: 1, error: "the registrar is stopping"))
        #expect(store.written.count == 1)
    }
}
