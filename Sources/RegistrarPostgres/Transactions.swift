import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Runs `queries` one after another; the first failure fails the whole.
    func runInOrder(_ queries: [PostgresQuery], logger: Logger) -> EventLoopFuture<Void> {
        queries.reduce(eventLoop.makeSucceededVoidFuture()) { previous, query in
            previous.flatMap { self.query(query, logger: logger).map { _ in () } }
        }
    }

    /// `BEGIN`, `body`, `COMMIT`; a failure anywhere rolls back and fails with the first error. (Not
    /// PostgresNIO's `withTransaction`: that one is async, and these calls stay on the event loop so
    /// that the synchronous store never needs the Swift concurrency pool.)
    func inTransaction<Value: Sendable>(
        logger: Logger, _ body: @escaping @Sendable () -> EventLoopFuture<Value>
    ) -> EventLoopFuture<Value> {
        query("BEGIN", logger: logger)
            .flatMap { _ in body() }
            .flatMap { value in self.query("COMMIT", logger: logger).map { _ in value } }
            .flatMapError { error in
                // On a lost connection the ROLLBACK fails too; the server rolls back on its own then.
                self.query("ROLLBACK", logger: logger).map { _ in () }.recover { _ in () }
                    .flatMapThrowing { throw error }
            }
    }
}

extension PostgresConnection {
    /// Starts closing the connection (the future overload of `close()`, named apart from the async one,
    /// which a non-async context cannot call and the compiler cannot tell from it in a closure).
    ///
    /// The connection is kept alive until its channel has closed: the caller usually drops its last
    /// reference right away, and PostgresNIO asserts that a connection is never freed while open.
    @discardableResult
    func closeNow() -> EventLoopFuture<Void> {
        let closing: EventLoopFuture<Void> = close()
        closing.whenComplete { _ in withExtendedLifetime(self) {} }
        return closing
    }
}
