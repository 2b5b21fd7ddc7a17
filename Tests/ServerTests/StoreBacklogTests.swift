// A REGISTER the registrar store's backlog cannot take (the store down for long) is answered 503 with
// Retry-After, never 200: a 200 promises a binding that outlives a restart.
import Config
import Logging
import Registrar
import Routing
import Testing

@testable import Server

/// A store that is down: every write fails.
private final class DownStore: BindingStore {
    struct Refused: Error {}
    func load() throws -> [Binding] { [] }
    func write(_ changes: [BindingChange]) throws { throw Refused() }
    func close() {}
}

@Suite("Registrar store backlog over the request handler")
struct StoreBacklogTests {
    @Test("the backlog full: 503 Service Unavailable with Retry-After: 30, no Contact; a query is still 200")
    func serviceUnavailable() throws {
        let configuration = try ConfigLoader.load(directory: sampleConfDirectory.path)
        var logger = Logger(label: "switchd-backlog-tests")
        logger.logLevel = .critical
        let clock = ManualClock(1_700_000_000)
        let location = LocationService(
            settings: RegistrarSettings(), store: DownStore(), initial: [], now: clock.now,
            retry: RetryPolicy(initialDelay: 60, maxDelay: 60), maximumPendingChanges: 1)
        let handler = RequestHandler(
            plans: PlanStore(configuration.plan), counters: Counters(), logger: logger, nonceSecret: HandlerRig.secret,
            location: location, bound: [try #require(SocketAddress(host: "127.0.0.1", port: 5060))], clock: { clock.now })
        func register(_ contact: String?, sequence: Int) throws -> SIPReply {
            var request = TestRequest(vias: ["SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-backlog-\(sequence);rport"])
            request.method = "REGISTER"
            request.uri = "sip:acme.example"
            request.from = "<sip:201@acme.example>;tag=backlog-\(sequence)"
            request.to = "<sip:201@acme.example>"
            request.callID = "backlog@phone"
            request.cseq = "\(sequence) REGISTER"
            request.extra = contact.map { [("Contact", $0)] } ?? []
            let source = try #require(SocketAddress(host: "127.0.0.1", port: 5062))
            let reply = try #require(handler.handle(request.bytes, from: source))
            return try #require(SIPReply(reply.bytes))
        }

        let first = try register("<sip:201@192.0.2.50:5062>", sequence: 1)
        #expect(first.statusLine == "SIP/2.0 200 OK")
        let refused = try register("<sip:201@192.0.2.51:5062>", sequence: 2)
        #expect(refused.statusLine == "SIP/2.0 503 Service Unavailable")
        #expect(refused.value("Retry-After") == "30")
        #expect(refused.values("Contact").isEmpty)
        let query = try register(nil, sequence: 3)
        #expect(query.statusLine == "SIP/2.0 200 OK")
        #expect(query.values("Contact") == ["<sip:201@192.0.2.50:5062>;expires=3600"])
    }

    @Test("an outage under load logs one line at its start, one when the backlog is full, none per request")
    func loggedOnce() throws {
        let recorder = LogRecorder()
        let store = BindingStoreLocation.postgresql(url: "postgresql://switchd@db.example/switchd")
        let location = LocationService(
            settings: RegistrarSettings(), store: DownStore(), initial: [], now: 1_700_000_000,
            retry: RetryPolicy(initialDelay: 60, maxDelay: 60), maximumPendingChanges: 2,
            observer: BindingStores.healthLogger(recorder.logger(level: .notice), store: store))
        for i in 0..<20 {
            let request = RegisterRequest(
                aor: AddressOfRecord(customerID: "acme", extensionNumber: "201"), callID: "c\(i)", cseq: 1,
                contacts: [.uri("sip:201@192.0.2.\(i + 1)")], expires: nil, sourceIP: "192.0.2.1", sourcePort: 5060,
                transport: "UDP", userAgent: nil)
            _ = location.register(request, now: 1_700_000_000)
        }
        _ = location.flush()
        let lines = recorder.all.map { "\($0.level) \($0.message)" }
        #expect(
            lines == [
                "error registrar store unavailable; registrations are kept in memory and written when it is back",
                "error registrar store backlog full; REGISTERs that change bindings get 503 until it is written",
            ])
        #expect(recorder.all.last?.metadata["limit"] == "2")
        #expect(recorder.all.first?.metadata["error"] == "Refused()")
    }

    @Test("the recovery line says how many changes waited for the store")
    func recoveryLine() {
        let recorder = LogRecorder()
        let log = BindingStores.healthLogger(recorder.logger(level: .notice), store: .memory)
        log(.recovered(failedAttempts: 7, seconds: 4.66, writtenChanges: 12))
        #expect(recorder.all.map(\.message) == ["registrar store available again; pending registrations written"])
        #expect(recorder.all.first?.level == .notice)
        #expect(recorder.all.first?.metadata["written"] == "12")
        #expect(recorder.all.first?.metadata["attempts"] == "7")
        #expect(recorder.all.first?.metadata["seconds"] == "4.7")
    }

    @Test("the status line of a full backlog is in the catalog")
    func catalog() {
        let line = ResponseCatalog.statusLine(for: RegistrationVerdict.registrar(.storeBacklogFull(limit: 100_000)))
        #expect(line.description == "503 Service Unavailable")
    }
}
