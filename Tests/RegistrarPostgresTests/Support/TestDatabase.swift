import Foundation
import Logging
import RegistrarPostgres
import RegistrarPostgresURL
import Testing

/// Stores for the tests.
enum TestDatabase {
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

    static func store(node: String, url: String, logger: Logger? = nil) throws -> PostgresBindingStore {
        try PostgresBindingStore(
            url: url, nodeID: node, options: fastOptions, logger: logger ?? Logger(label: "registrar-postgres-test"))
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
