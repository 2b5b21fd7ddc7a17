// The write-through queue: registrations never wait for the store; a failing store keeps every
// accepted change, in order, retries with backoff, and is reported once per outage and once on recovery.
import Dispatch
import Foundation
import Testing

@testable import Registrar

/// Fast retries, so the background retry runs during the tests too.
private let quick = RetryPolicy(initialDelay: 0.001, maxDelay: 0.004)

/// Flushes until everything is written (each flush is one more attempt), at most `attempts` times.
private func flushUntilWritten(_ service: LocationService, attempts: Int = 1_000) -> FlushResult {
    var result = service.flush()
    for _ in 0..<attempts where result != .written {
        result = service.flush()
    }
    return result
}

private func contact(_ i: Int) -> String { "sip:201@192.0.2.\(i % 250 + 1):\(5_000 + i)" }

@Suite("write-through")
struct WriteThroughTests {
    @Test("a store that fails 5 times: nothing lost, order kept, one outage report, one recovery report")
    func failsThenRecovers() throws {
        let store = FlakyStore(failures: 5)
        let health = HealthLog()
        let service = try LocationService(
            settings: settings(maxContacts: 100), store: store, now: t0, retry: quick, observer: health.observer)
        var expected: [BindingChange] = []
        for i in 0..<40 {
            let outcome = service.register(request([.uri(contact(i))], callID: "c\(i)"), now: t0 + Double(i))
            let bound = try #require(outcome.bindings?.first { $0.contact == contact(i) })
            expected.append(.upsert(bound))
        }
        // A removal after the upserts: written out of order, contact 3 would survive.
        _ = service.register(request([.uri(contact(3), expires: 0)], callID: "other"), now: t0 + 50)
        expected.append(.remove(acme201, contact: contact(3)))

        #expect(flushUntilWritten(service) == .written)
        #expect(store.attempts >= 6)
        #expect(store.written == expected)
        #expect(try stored(store.memory).count == 39)
        let events = health.all
        #expect(events.count == 2, "\(events)")
        guard events.count == 2 else { return }
        guard case .unavailable(let error, let pending) = events[0] else {
            Issue.record("first event: \(events[0])")
            return
        }
        #expect(error == "connection refused")
        #expect(pending >= 1)
        guard case .recovered(let failedAttempts, let seconds, let written) = events[1] else {
            Issue.record("second event: \(events[1])")
            return
        }
        #expect(failedAttempts == 5)
        // The changes that waited for the store (the registrations go on while it recovers).
        #expect(written >= 1 && written <= expected.count)
        #expect(seconds >= 0)
    }

    @Test("a long outage under load: one report, however many registrations and retries; each new outage reported again")
    func oneReportPerOutage() throws {
        let store = FlakyStore()
        let health = HealthLog()
        let service = try LocationService(
            settings: settings(maxContacts: 1_000), store: store, now: t0, retry: quick, observer: health.observer)
        store.setDown(true)
        for i in 0..<200 {
            _ = service.register(request([.uri(contact(i))], callID: "c\(i)"), now: t0)
            if i % 20 == 0 {
                guard case .pending = service.flush() else {
                    Issue.record("a flush during the outage reported everything written")
                    return
                }
            }
        }
        // Let the background retries run for a while.
        Thread.sleep(forTimeInterval: 0.05)
        #expect(service.pendingWrites == 200)
        #expect(health.all.count == 1)
        store.setDown(false)
        #expect(flushUntilWritten(service) == .written)
        #expect(service.pendingWrites == 0)
        #expect(try stored(store.memory).count == 200)
        #expect(health.all.count == 2)

        store.setDown(true)
        _ = service.register(request([.uri(contact(500))], callID: "late"), now: t0 + 1)
        _ = service.flush()
        store.setDown(false)
        #expect(flushUntilWritten(service) == .written)
        let kinds = health.all.map { event -> String in
            switch event {
            case .unavailable: "down"
            case .recovered: "up"
            case .backlogFull: "full"
            }
        }
        #expect(kinds == ["down", "up", "down", "up"])
    }

    @Test("a backlog of 6,000 changes after an outage: written in order, in transactions of at most 1,000")
    func backlog() throws {
        let store = FlakyStore()
        let service = try LocationService(settings: settings(), store: store, now: t0, retry: quick)
        store.setDown(true)
        var expected: [BindingChange] = []
        for i in 0..<6_000 {
            let aor = AddressOfRecord(customerID: "acme", extensionNumber: "\(1_000 + i)")
            let outcome = service.register(request([.uri(contact(i))], aor: aor, callID: "c\(i)"), now: t0)
            let bound = try #require(outcome.bindings?.first { $0.contact == contact(i) })
            expected.append(.upsert(bound))
        }
        store.setDown(false)
        #expect(flushUntilWritten(service) == .written)
        #expect(store.written == expected)
        #expect(store.batchSizes.allSatisfy { $0 <= 1_000 })
        #expect(service.pendingWrites == 0)
    }

    @Test("the background retry writes without any flush")
    func retriesByItself() throws {
        let store = FlakyStore(failures: 3)
        let service = try LocationService(settings: settings(), store: store, now: t0, retry: quick)
        _ = service.register(request([.uri(phoneContact)]), now: t0)
        var waited = 0
        while store.written.isEmpty, waited < 2_000 {
            Thread.sleep(forTimeInterval: 0.001)
            waited += 1
        }
        #expect(store.written.count == 1)
        #expect(store.attempts == 4)
    }

    @Test("register returns while the store is blocked in a write; the changes follow when it unblocks")
    func neverBlocksTheCaller() throws {
        let store = BlockedStore()
        let service = try LocationService(settings: settings(maxContacts: 100), store: store, now: t0, retry: quick)
        _ = service.register(request([.uri(contact(0))], callID: "first"), now: t0)
        #expect(store.waitForWrite())
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 1...50 {
            _ = service.register(request([.uri(contact(i))], callID: "c\(i)"), now: t0)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // The store is still blocked: these 50 returned without it.
        #expect(service.pendingWrites == 51)
        #expect(service.lookup(acme201, now: t0).count == 51)
        #expect(elapsed < 5)
        store.release()
        #expect(service.flush() == .written)
        #expect(try stored(store.memory).count == 51)
    }

    @Test("backoff doubles from the initial delay up to the maximum")
    func backoff() {
        let policy = RetryPolicy(initialDelay: 0.1, maxDelay: 5)
        #expect((1...8).map { policy.delay(afterFailures: $0) } == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5])
        #expect(policy.delay(afterFailures: 10_000) == 5)
    }
}
