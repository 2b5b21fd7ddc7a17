import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Registrar
import RegistrarPostgres
import Testing

extension PostgresTests {
    @Suite("Change feed")
    struct Feed {
        static let outage = "PostgreSQL store unreachable; retrying until it answers"
        static let recovery = "PostgreSQL store reachable again"

        /// Two nodes on an empty table, both listening, their first resync (empty) received.
        func twoNodes(logA: LogCapture? = nil, logB: LogCapture? = nil) async throws
            -> (PostgresBindingStore, Inbox, PostgresBindingStore, Inbox)
        {
            let a = try TestDatabase.store(node: "node-a", logger: logA?.logger)
            let b = try TestDatabase.store(node: "node-b", logger: logB?.logger)
            try await background { try TestDatabase.clear(a) }
            let (inboxA, inboxB) = (Inbox(), Inbox())
            try inboxA.listen(to: a)
            try inboxB.listen(to: b)
            #expect(await eventually(within: .seconds(5)) { inboxA.count == 1 && inboxB.count == 1 })
            #expect(inboxA.all == [.resync([])] && inboxB.all == [.resync([])])
            return (a, inboxA, b, inboxB)
        }

        @Test("a write on one node reaches the other's callback within 1 s; no node hears its own")
        func otherNodeHearsIt() async throws {
            let (a, inboxA, b, inboxB) = try await twoNodes()
            defer {
                a.close()
                b.close()
            }
            var latencies: [Duration] = []
            for round in 0..<20 {
                let first = Samples.binding(Samples.acme201, "sip:201@192.0.2.1", cseq: UInt32(round))
                let second = Samples.binding(Samples.acme201, "sip:201@192.0.2.2", cseq: UInt32(round))
                let started = try await background {
                    let started = ContinuousClock.now
                    try a.write([.removeAll(Samples.acme201), .upsert(first), .upsert(second)])
                    return started
                }
                #expect(await eventually(within: .seconds(1)) { inboxB.count == round + 2 }, "round \(round)")
                guard let arrived = inboxB.time(of: round + 1) else { return }
                latencies.append(arrived - started)
                #expect(inboxB.all.last == .changes([.removeAll(Samples.acme201), .upsert(first), .upsert(second)]))
            }
            let sorted = latencies.sorted()
            print(
                "notification latency (write call to the other node's callback) over \(sorted.count) writes: "
                    + "median \(sorted[sorted.count / 2]), max \(sorted[sorted.count - 1])")
            #expect(sorted.allSatisfy { $0 < .seconds(1) })

            // The other way round, with a removal: only the AOR's remaining binding is delivered.
            try await background { try b.write([.remove(Samples.acme201, contact: "sip:201@192.0.2.1")]) }
            #expect(await eventually(within: .seconds(1)) { inboxA.count == 2 })
            let remaining = Samples.binding(Samples.acme201, "sip:201@192.0.2.2", cseq: 19)
            #expect(inboxA.all.last == .changes([.removeAll(Samples.acme201), .upsert(remaining)]))

            // Nobody was told of its own writes.
            try await Task.sleep(for: .milliseconds(300))
            #expect(inboxA.count == 2)
            #expect(inboxB.count == 21)
        }

        @Test("a write of more AORs than one notification can name reaches the other node as a resync")
        func tooManyAORs() async throws {
            let (a, _, b, inboxB) = try await twoNodes()
            defer {
                a.close()
                b.close()
            }
            let bindings = (0..<600).map {
                Samples.binding(
                    AddressOfRecord(customerID: "customer\($0 % 7)", extensionNumber: "\(1000 + $0)"), "sip:\($0)@192.0.2.1")
            }
            try await background { try a.write(bindings.map { .upsert($0) }) }
            #expect(await eventually(within: .seconds(1)) { inboxB.count == 2 })
            #expect(inboxB.changes.isEmpty)
            #expect(inboxB.resyncs.last.map(Samples.sorted) == Samples.sorted(bindings))
        }

        @Test("a notification this switchd cannot read makes the listener read every binding")
        func unreadable() async throws {
            let log = LogCapture()
            let (a, _, b, inboxB) = try await twoNodes(logB: log)
            defer {
                a.close()
                b.close()
            }
            let binding = Samples.binding(Samples.globex100, "sip:100@192.0.2.1")
            try await background { try a.write([.upsert(binding)]) }
            #expect(await eventually(within: .seconds(1)) { inboxB.count == 2 })

            let url = try TestDatabase.parsedURL()
            guard case .tcp(let host, let port) = url.server else { return }
            let raw = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: .init(
                    host: host, port: port, username: url.user, password: url.password, database: url.database,
                    tls: .disable),
                id: 1, logger: Logger(label: "raw"))
            try await raw.query("SELECT pg_notify('switchd_bindings', 'not a notice')", logger: Logger(label: "raw"))
            try await raw.close()

            #expect(await eventually(within: .seconds(1)) { inboxB.count == 3 })
            #expect(inboxB.all.last == .resync([binding]))
            #expect(
                log.count("PostgreSQL change feed got a notification it cannot read; reading every binding again") == 1)
        }

        @Test(
            "server down: writes throw in bounded time, the outage is logged once, the listener resyncs on its return",
            .enabled(if: TestDatabase.canRestart, "SWITCHD_TEST_POSTGRES_HARNESS and _DIR are needed to stop the server"))
        func outage() async throws {
            let (logA, logB) = (LogCapture(), LogCapture())
            let (a, inboxA, b, inboxB) = try await twoNodes(logA: logA, logB: logB)
            defer {
                a.close()
                b.close()
            }
            let before = Samples.binding(Samples.acme201, "sip:201@192.0.2.1")
            try await background { try a.write([.upsert(before)]) }
            #expect(await eventually(within: .seconds(1)) { inboxB.count == 2 })

            try await background { try TestDatabase.stopServer() }
            let during = Samples.binding(Samples.acme202, "sip:202@192.0.2.2")
            for attempt in 0..<3 {
                let (error, elapsed) = try await timedStoreError { try a.write([.upsert(during)]) }
                print("write \(attempt + 1) with the server down threw after \(elapsed): \(String(describing: error))")
                #expect(error.map { [.unreachable, .timedOut, .refused].contains($0.kind) } == true)
                #expect(elapsed < .milliseconds(2_500))
            }
            // Long enough for the listener to retry several times (50 ms doubling to 500 ms).
            try await Task.sleep(for: .seconds(3))
            #expect(logA.count(Self.outage) == 1)
            #expect(logB.count(Self.outage) == 1)
            #expect(logA.count(Self.recovery) == 0 && logB.count(Self.recovery) == 0)
            #expect(inboxA.count == 1 && inboxB.count == 2)

            let restarted = ContinuousClock.now
            try await background { try TestDatabase.startServer() }
            #expect(await eventually(within: .seconds(5)) { inboxB.count == 3 && inboxA.count == 2 })
            print("listener resynced \(ContinuousClock.now - restarted) after the restart began")
            #expect(inboxB.all.last == .resync([before]))
            #expect(inboxA.all.last == .resync([before]))
            #expect(logB.count(Self.recovery) == 1)

            // The writer reconnects on its next call; the other node hears of it as before.
            try await background { try a.write([.upsert(during)]) }
            #expect(await eventually(within: .seconds(1)) { inboxB.count == 4 })
            #expect(inboxB.all.last == .changes([.removeAll(Samples.acme202), .upsert(during)]))
            #expect(logA.count(Self.outage) == 1 && logA.count(Self.recovery) == 1)
            #expect(logB.count(Self.outage) == 1 && logB.count(Self.recovery) == 1)
        }

        @Test(
            "server hung: writes time out, the listener's heartbeat notices, and both recover when it answers",
            .enabled(if: TestDatabase.canRestart, "SWITCHD_TEST_POSTGRES_HARNESS and _DIR are needed to freeze the server"))
        func hungServer() async throws {
            let (logA, logB) = (LogCapture(), LogCapture())
            let (a, _, b, inboxB) = try await twoNodes(logA: logA, logB: logB)
            defer {
                a.close()
                b.close()
            }
            let before = Samples.binding(Samples.acme201, "sip:201@192.0.2.1")
            try await background { try a.write([.upsert(before)]) }
            #expect(await eventually(within: .seconds(1)) { inboxB.count == 2 })

            try await background { try TestDatabase.freezeServer() }
            var thawed = false
            defer { if !thawed { try? TestDatabase.thawServer() } }
            for attempt in 0..<2 {
                let (error, elapsed) = try await timedStoreError { try a.write([.upsert(before)]) }
                print("write \(attempt + 1) to the hung server threw after \(elapsed): \(String(describing: error))")
                #expect(error?.kind == .timedOut)
                // requestTimeout is 2 s in fastOptions, for the whole call.
                #expect(elapsed < .milliseconds(2_500))
            }
            // Heartbeat every second, answered within 2 s or the connection is dropped.
            #expect(await eventually(within: .seconds(5)) { logB.count(Self.outage) == 1 })
            #expect(logA.count(Self.outage) == 1)

            try await background { try TestDatabase.thawServer() }
            thawed = true
            #expect(await eventually(within: .seconds(8)) { inboxB.count == 3 })
            #expect(inboxB.all.last == .resync([before]))
            try await background { try a.write([.upsert(before)]) }
            #expect(logA.count(Self.outage) == 1 && logA.count(Self.recovery) == 1)
            #expect(logB.count(Self.outage) == 1 && logB.count(Self.recovery) == 1)
        }
    }
}

extension PostgresStoreError {
    enum Kind { case unreachable, timedOut, refused, other }

    var kind: Kind {
        switch self {
        case .unreachable: .unreachable
        case .timedOut: .timedOut
        case .refused: .refused
        default: .other
        }
    }
}
