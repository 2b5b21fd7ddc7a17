import Logging
import NIOPosix
import Registrar
import RegistrarPostgres
import Testing

/// Calls against a server that refuses or never answers: bounded in time, typed errors, one log line
/// per outage. No PostgreSQL needed.
@Suite("Unreachable server")
struct UnreachableServerTests {
    let binding = Samples.binding(Samples.acme201, "sip:201@192.0.2.1")

    @Test("a refused connection throws at once, and the outage is logged once")
    func refused() async throws {
        let port = try refusedPort()
        let log = LogCapture()
        let store = try TestDatabase.store(
            node: "refused", url: "postgresql://switchd:pw@127.0.0.1:\(port)/switchd", logger: log.logger)
        defer { store.close() }
        for _ in 0..<3 {
            let (error, elapsed) = try await timedStoreError { [binding] in try store.write([.upsert(binding)]) }
            #expect(elapsed < .seconds(1))
            guard case .unreachable(let server, let reason)? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                continue
            }
            #expect(server == "127.0.0.1:\(port)")
            #expect(reason == "cannot connect: Connection refused")
        }
        #expect(log.count("PostgreSQL store unreachable; retrying until it answers") == 1)
    }

    @Test("a server that never answers: load and write throw within the connect timeout")
    func silent() async throws {
        let server = try SilentServer()
        defer { server.close() }
        let store = try TestDatabase.store(node: "silent", url: "postgresql://switchd:pw@127.0.0.1:\(server.port)/switchd")
        defer { store.close() }
        for operation in ["load", "write"] {
            let (error, elapsed) = try await timedStoreError { [binding] in
                if operation == "load" { _ = try store.load() } else { try store.write([.upsert(binding)]) }
            }
            // connectTimeout is 1 s in fastOptions; the request timeout (2 s) is the outer bound.
            #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(2_500), "\(operation): \(elapsed)")
            #expect(error?.isTimeout == true, "\(operation): \(String(describing: error))")
        }
    }

    @Test("a listener on a silent server logs the outage once over many attempts, and close() ends it")
    func listenerOutage() async throws {
        let server = try SilentServer()
        defer { server.close() }
        let log = LogCapture()
        let store = try TestDatabase.store(
            node: "listener", url: "postgresql://switchd:pw@127.0.0.1:\(server.port)/switchd", logger: log.logger)
        let inbox = Inbox()
        try inbox.listen(to: store)
        try await Task.sleep(for: .seconds(3.5))
        #expect(log.count("PostgreSQL store unreachable; retrying until it answers") == 1)
        #expect(inbox.count == 0)
        let closing = try await background {
            let started = ContinuousClock.now
            store.close()
            return ContinuousClock.now - started
        }
        #expect(closing < .seconds(2))
        #expect(throws: PostgresStoreError.closed) { try store.load() }
        #expect(throws: PostgresStoreError.closed) { try inbox.listen(to: store) }
    }

    @Test("a call on an event loop thread is refused, not blocked on")
    func onEventLoop() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let store = try TestDatabase.store(node: "loop", url: "postgresql://switchd@127.0.0.1:1/switchd")
        defer { store.close() }
        let result = try group.next().submit { syncStoreError { _ = try store.load() } }.wait()
        #expect(result == .calledOnEventLoop)
    }
}

extension PostgresStoreError {
    var isTimeout: Bool {
        if case .timedOut = self { true } else { false }
    }
}
