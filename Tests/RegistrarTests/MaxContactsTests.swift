// At most maxContacts bindings per AOR: the binding updated least recently makes room for a new one
// (a phone that moved is never locked out); a request that alone names too many is refused.
import Testing

@testable import Registrar

@Suite("maxContacts")
struct MaxContactsTests {
    private let a = "sip:201@192.0.2.1"
    private let b = "sip:201@192.0.2.2"
    private let c = "sip:201@192.0.2.3"
    private let d = "sip:201@192.0.2.4"

    @Test("a third contact evicts the least recently updated binding, in memory and in the store")
    func evictsOldest() throws {
        let (service, store) = try service(settings: settings(maxContacts: 2, natRewrite: false))
        _ = service.register(request([.uri(a)], callID: "a"), now: t0)
        _ = service.register(request([.uri(b)], callID: "b"), now: t0 + 10)
        let outcome = service.register(request([.uri(c)], callID: "c"), now: t0 + 20)
        let evictedA = binding(a, callID: "a", cseq: 2, expiresAt: t0 + 3_600, updatedAt: t0)
        let keptB = binding(b, callID: "b", cseq: 2, expiresAt: t0 + 3_610, updatedAt: t0 + 10)
        let newC = binding(c, callID: "c", cseq: 2, expiresAt: t0 + 3_620, updatedAt: t0 + 20)
        #expect(
            outcome
                == .ok(
                    bindings: [
                        RegisteredBinding(binding: newC, expiresIn: 3_600), RegisteredBinding(binding: keptB, expiresIn: 3_590),
                    ],
                    evicted: [evictedA]))
        #expect(service.flush() == .written)
        #expect(try stored(store) == [keptB, newC])
    }

    @Test("a refresh counts as an update: the binding refreshed last is kept")
    func refreshProtects() throws {
        let (service, _) = try service(settings: settings(maxContacts: 2, natRewrite: false))
        _ = service.register(request([.uri(a)], callID: "a", cseq: 1), now: t0)
        _ = service.register(request([.uri(b)], callID: "b"), now: t0 + 10)
        _ = service.register(request([.uri(a)], callID: "a", cseq: 2), now: t0 + 15)
        let outcome = service.register(request([.uri(c)], callID: "c"), now: t0 + 20)
        guard case .ok(_, let evicted) = outcome else {
            Issue.record("expected .ok, got \(outcome)")
            return
        }
        #expect(evicted.map(\.contact) == [b])
        #expect(Set(service.lookup(acme201, now: t0 + 20).map(\.contact)) == [a, c])
    }

    @Test("two new contacts into a full AOR evict the two oldest; the request's own are never evicted")
    func evictsSeveral() throws {
        let (service, _) = try service(settings: settings(maxContacts: 2, natRewrite: false))
        _ = service.register(request([.uri(a)], callID: "a"), now: t0)
        _ = service.register(request([.uri(b)], callID: "b"), now: t0 + 10)
        let outcome = service.register(request([.uri(c), .uri(d)], callID: "cd"), now: t0 + 20)
        guard case .ok(let bindings, let evicted) = outcome else {
            Issue.record("expected .ok, got \(outcome)")
            return
        }
        #expect(evicted.map(\.contact) == [a, b])
        #expect(Set(bindings.map(\.binding.contact)) == [c, d])
    }

    @Test("a request that alone names more than maxContacts is refused and changes nothing")
    func tooManyInOneRequest() throws {
        let (service, store) = try service([binding(a, callID: "a")], settings: settings(maxContacts: 2, natRewrite: false))
        let outcome = service.register(request([.uri(b), .uri(c), .uri(d)], callID: "bcd"), now: t0 + 20)
        #expect(outcome == .tooManyContacts(maxContacts: 2))
        #expect(service.flush() == .written)
        #expect(try stored(store) == [binding(a, callID: "a")])
    }

    @Test("removals in the same request do not count towards the limit")
    func removalsDoNotCount() throws {
        let (service, _) = try service(settings: settings(maxContacts: 2, natRewrite: false))
        _ = service.register(request([.uri(a)], callID: "x", cseq: 1), now: t0)
        let outcome = service.register(request([.uri(a, expires: 0), .uri(b), .uri(c)], callID: "x", cseq: 2), now: t0 + 5)
        guard case .ok(let bindings, let evicted) = outcome else {
            Issue.record("expected .ok, got \(outcome)")
            return
        }
        #expect(evicted.isEmpty)
        #expect(Set(bindings.map(\.binding.contact)) == [b, c])
    }
}
