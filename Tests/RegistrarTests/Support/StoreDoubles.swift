// Stores that fail on demand or block, to test the write-through queue without a database.
import Dispatch
import Synchronization

@testable import Registrar

struct Unreachable: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

/// Fails its first `failures` writes (or every write while `down`), records every batch it accepted.
final class FlakyStore: BindingStore {
    private struct State {
        var failuresLeft: Int
        var down = false
        var attempts = 0
        var batches: [[BindingChange]] = []
    }

    private let state: Mutex<State>
    let memory = MemoryBindingStore()

    init(failures: Int = 0) {
        state = Mutex(State(failuresLeft: failures))
    }

    func load() throws -> [Binding] { [] }

    func write(_ changes: [BindingChange]) throws {
        try state.withLock { state in
            state.attempts += 1
            if state.down { throw Unreachable() }
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw Unreachable()
            }
            state.batches.append(changes)
        }
        try memory.write(changes)
    }

    func close() {}

    func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    var attempts: Int { state.withLock { $0.attempts } }
    var batchSizes: [Int] { state.withLock { $0.batches.map(\.count) } }
    /// Every change accepted, in the order written.
    var written: [BindingChange] { state.withLock { $0.batches.flatMap { $0 } } }
}

/// Blocks every write until `release()`: shows that no register waits for the store.
final class BlockedStore: BindingStore {
    private let gate = DispatchSemaphore(value: 0)
    private let entered = DispatchSemaphore(value: 0)
    let memory = MemoryBindingStore()

    func load() throws -> [Binding] { [] }

    func write(_ changes: [BindingChange]) throws {
        entered.signal()
        gate.wait()
        gate.signal()
        try memory.write(changes)
    }

    func close() {}

    /// Waits until a write is in progress (and so blocked).
    func waitForWrite() -> Bool { entered.wait(timeout: .now() + 10) == .success }
    func release() { gate.signal() }
}

/// Collects what the location service reports about its store.
final class HealthLog: Sendable {
    private let events = Mutex<[StoreHealthEvent]>([])

    var observer: @Sendable (StoreHealthEvent) -> Void {
        { [self] event in events.withLock { $0.append(event) } }
    }

    var all: [StoreHealthEvent] { events.withLock { $0 } }
}
