// lookup: live bindings only, highest q first (absent q = 1.0), newest first among equal q.
import Testing

@testable import Registrar

@Suite("lookup")
struct LookupTests {
    @Test("highest q first, absent q counts as 1.0, newest first among equals, then by contact")
    func order() throws {
        let half = binding("sip:201@192.0.2.1", q: 0.5, updatedAt: t0 + 5)
        let absentOld = binding("sip:201@192.0.2.2", updatedAt: t0 + 1)
        let oneNew = binding("sip:201@192.0.2.3", q: 1.0, updatedAt: t0 + 3)
        let absentNew = binding("sip:201@192.0.2.4", updatedAt: t0 + 4)
        let highPointEight = binding("sip:201@192.0.2.5", q: 0.8, updatedAt: t0 + 9)
        let tieB = binding("sip:201@192.0.2.7", q: 0.2, updatedAt: t0 + 2)
        let tieA = binding("sip:201@192.0.2.6", q: 0.2, updatedAt: t0 + 2)
        let (service, _) = try service([half, absentOld, oneNew, absentNew, highPointEight, tieB, tieA])
        #expect(service.lookup(acme201, now: t0 + 10) == [absentNew, oneNew, absentOld, highPointEight, half, tieA, tieB])
    }

    @Test("the order holds after registrations, not only after a load")
    func orderAfterRegister() throws {
        let (service, _) = try service()
        _ = service.register(request([.uri("sip:201@192.0.2.1", q: 0.4)], callID: "a"), now: t0)
        _ = service.register(request([.uri("sip:201@192.0.2.2")], callID: "b"), now: t0 + 1)
        _ = service.register(request([.uri("sip:201@192.0.2.3", q: 0.9)], callID: "c"), now: t0 + 2)
        _ = service.register(request([.uri("sip:201@192.0.2.4")], callID: "d"), now: t0 + 3)
        let contacts = service.lookup(acme201, now: t0 + 4).map(\.contact)
        #expect(contacts == ["sip:201@192.0.2.4", "sip:201@192.0.2.2", "sip:201@192.0.2.3", "sip:201@192.0.2.1"])
    }

    @Test("a binding that lapsed is not returned, before any purge; an unknown AOR has none")
    func liveOnly() throws {
        let short = binding("sip:201@192.0.2.1", expiresAt: t0 + 60)
        let long = binding("sip:201@192.0.2.2", expiresAt: t0 + 600)
        let (service, _) = try service([short, long])
        #expect(service.lookup(acme201, now: t0 + 59.9) == [long, short].sorted(by: BindingOrder.precedes))
        #expect(service.lookup(acme201, now: t0 + 60) == [long])
        #expect(service.lookup(acme201, now: t0 + 600).isEmpty)
        #expect(service.lookup(acme202, now: t0).isEmpty)
    }

    @Test("purgeExpired drops lapsed bindings from memory and the store; all() lists the live ones by AOR")
    func purge() throws {
        let short = binding("sip:201@192.0.2.1", expiresAt: t0 + 60)
        let long = binding("sip:201@192.0.2.2", expiresAt: t0 + 600)
        let other = binding("sip:202@192.0.2.3", aor: acme202, expiresAt: t0 + 30)
        let (service, store) = try service([short, long, other])
        #expect(service.all(now: t0) == [short, long, other])
        #expect(service.purgeExpired(now: t0 + 60) == 2)
        #expect(service.purgeExpired(now: t0 + 60) == 0)
        #expect(service.flush() == .written)
        #expect(try stored(store) == [long])
        #expect(service.all(now: t0 + 60) == [long])
    }

    @Test("a store's expired rows are dropped at load and removed from the store")
    func loadDropsExpired() throws {
        let gone = binding("sip:201@192.0.2.1", expiresAt: t0 - 1)
        let kept = binding("sip:201@192.0.2.2", expiresAt: t0 + 1)
        let (service, store) = try service([gone, kept])
        #expect(service.lookup(acme201, now: t0) == [kept])
        #expect(service.flush() == .written)
        #expect(try stored(store) == [kept])
    }

    @Test("remote changes reach memory and are not written back to the store")
    func remote() throws {
        let local = binding("sip:201@192.0.2.1")
        let (service, store) = try service([local])
        let fromPeer = binding("sip:201@198.51.100.9", callID: "peer", updatedAt: t0 + 5)
        let peer202 = binding("sip:202@198.51.100.9", aor: acme202, callID: "peer")
        service.apply(remote: [.upsert(fromPeer), .upsert(peer202), .remove(acme201, contact: local.contact)])
        #expect(service.lookup(acme201, now: t0) == [fromPeer])
        #expect(service.lookup(acme202, now: t0) == [peer202])
        service.apply(remote: [.removeAll(acme202)])
        #expect(service.lookup(acme202, now: t0).isEmpty)
        service.apply(remote: [.removeExpired(before: t0 + 3_600)])
        #expect(service.lookup(acme201, now: t0).isEmpty)
        #expect(service.flush() == .written)
        #expect(try stored(store) == [local])
    }

    @Test("stored values that are not numbers (a hand-edited database) order without trapping")
    func oddStoredValues() throws {
        let nanQ = binding("sip:201@192.0.2.1", q: .nan)
        let nanTime = binding("sip:201@192.0.2.2", q: 0.5, updatedAt: .nan)
        let normal = binding("sip:201@192.0.2.3", q: 0.5)
        let (service, _) = try service([nanTime, normal, nanQ])
        #expect(service.lookup(acme201, now: t0).map(\.contact) == [nanQ.contact, normal.contact, nanTime.contact])
        let outcome = service.register(request([]), now: t0)
        #expect(outcome.bindings?.count == 3)
    }
}
