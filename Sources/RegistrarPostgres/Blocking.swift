import NIOCore
import NIOPosix

/// The deadline of a blocking call passed before its future completed.
struct DeadlineExceeded: Error {
    let operation: String
    let seconds: Double
}

/// The one place where the synchronous `BindingStore` calls wait for PostgresNIO's futures.
///
/// Why blocking is safe here: the store's futures run on its own `MultiThreadedEventLoopGroup`, whose
/// thread never waits on anything; the caller's thread (the location service's background queue) is
/// the only one that blocks, and `checkNotOnEventLoop()` refuses a caller on any event loop thread, where
/// waiting would stall that loop or deadlock on ours. No Swift concurrency is involved, so a caller on a
/// cooperative thread cannot starve the pool that would complete its own wait. Every wait has a
/// deadline, so a server that never answers costs a bounded time, never a hung thread.
enum Blocking {
    static func checkNotOnEventLoop() throws(PostgresStoreError) {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else { throw .calledOnEventLoop }
    }

    /// Blocks until `future` completes (callers bound it with `within(_:operation:seconds:)`).
    static func wait<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
        try future.wait()
    }
}

extension EventLoopFuture where Value: Sendable {
    /// This future, or a failure with `DeadlineExceeded` if it has not completed by `deadline`.
    func within(_ deadline: NIODeadline, operation: String, seconds: Double) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(DeadlineExceeded(operation: operation, seconds: seconds))
        }
        // A promise completed twice keeps its first result, so the race between the two is harmless.
        whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
