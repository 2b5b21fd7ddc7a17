import Foundation
import Glibc
import Logging
import RegistrarPostgres
import RegistrarPostgresURL
import Testing

/// The PostgreSQL server of the cluster tests, as Tests/cluster/run.sh hands it over.
enum TestDatabase {
    private static let environment = ProcessInfo.processInfo.environment

    /// `SWITCHD_TEST_POSTGRES`: the TCP URL of the test role, with its password.
    static let url = environment["SWITCHD_TEST_POSTGRES"]
    /// The harness script and the server's directory, to stop and restart it (the outage test).
    static let harness = environment["SWITCHD_TEST_POSTGRES_HARNESS"]
    static let directory = environment["SWITCHD_TEST_POSTGRES_DIR"]

    static var isConfigured: Bool { url != nil }
    static var canRestart: Bool { url != nil && harness != nil && directory != nil }

    static let notConfigured: Comment =
        "SWITCHD_TEST_POSTGRES is not set: these tests need a PostgreSQL server; run Tests/cluster/run.sh (make cluster-test)"

    static func parsedURL() throws -> PostgresURL {
        try PostgresURL(parsing: try #require(url, "SWITCHD_TEST_POSTGRES"))
    }

    static func port() throws -> Int {
        guard case .tcp(_, let port) = try parsedURL().server else {
            Issue.record("SWITCHD_TEST_POSTGRES is not a TCP URL")
            return 0
        }
        return port
    }

    /// Short limits, so that the outage tests take seconds: connect 1 s, a call 2 s, retries from
    /// 50 ms to 500 ms, a heartbeat every second.
    static var fastOptions: PostgresStoreOptions {
        var options = PostgresStoreOptions()
        options.connectTimeout = .seconds(1)
        options.requestTimeout = .seconds(2)
        options.firstReconnectDelay = .milliseconds(50)
        options.maximumReconnectDelay = .milliseconds(500)
        options.heartbeatInterval = .seconds(1)
        return options
    }

    static func store(node: String, url: String? = nil, logger: Logger? = nil) throws -> PostgresBindingStore {
        try PostgresBindingStore(
            url: try #require(url ?? self.url, "SWITCHD_TEST_POSTGRES"), nodeID: node, options: fastOptions,
            logger: logger ?? Logger(label: "registrar-postgres-test"))
    }

    /// Empties the table, through the store's own API (the tests run one at a time: `.serialized`).
    static func clear(_ store: PostgresBindingStore) throws {
        let aors = Set(try store.load().map(\.aor))
        try store.write(aors.map { .removeAll($0) })
    }

    /// Runs the harness: `stop DIR immediate` (a crash, as far as clients can tell) or `start DIR PORT`.
    /// posix_spawn and waitpid rather than Foundation's Process: Process notices its child's end by a
    /// socket the child inherits, which the daemonised postmaster that `start` leaves also holds, so
    /// `waitUntilExit()` would wait for the server to stop.
    static func harnessRun(_ arguments: [String]) throws {
        let argv = ["/bin/bash", try #require(harness)] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, &cArguments, environ)
        try #require(spawned == 0, "cannot run postgres.sh: error \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        // Exited normally (low 7 bits 0) with status 0 (the next 8 bits).
        try #require(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "postgres.sh \(arguments.joined(separator: " ")) failed")
    }

    static func stopServer() throws {
        try harnessRun(["stop", try #require(directory), "immediate"])
    }

    /// SIGSTOP and SIGCONT of the server's processes: connections stay open and nothing answers.
    static func freezeServer() throws {
        try harnessRun(["freeze", try #require(directory)])
    }

    static func thawServer() throws {
        try harnessRun(["thaw", try #require(directory)])
    }

    static func startServer() throws {
        try harnessRun(["start", try #require(directory), String(try port())])
    }
}

/// Runs a blocking store call on a thread of its own, as the location service does from its queue, and
/// not on the Swift concurrency pool that runs the tests.
func background<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// The error a blocking store call throws (nil when it succeeds), run as `background` runs it. Any
/// other error than a `PostgresStoreError` is a test failure.
func storeError(_ body: @escaping @Sendable () throws -> Void) async throws -> PostgresStoreError? {
    try await background { syncStoreError(body) }
}

/// `storeError`, with the time the call took, measured on its own thread: the time the test task waits
/// to be resumed on a busy concurrency pool (a full `swift test`) is not the store's.
func timedStoreError(_ body: @escaping @Sendable () throws -> Void) async throws -> (PostgresStoreError?, Duration) {
    try await background {
        let started = ContinuousClock.now
        let error = syncStoreError(body)
        return (error, ContinuousClock.now - started)
    }
}

/// The same on the calling thread (for calls whose thread matters, such as an event loop's).
func syncStoreError(_ body: () throws -> Void) -> PostgresStoreError? {
    do {
        try body()
        return nil
    } catch let error as PostgresStoreError {
        return error
    } catch {
        Issue.record("not a PostgresStoreError: \(error)")
        return nil
    }
}
