import Logging
import Synchronization

/// One log call as a handler received it.
struct LogRecord: Sendable {
    let level: Logger.Level
    let message: String
    /// The logger's own metadata merged with the call's (the call's win), as a real sink would print it.
    let metadata: Logger.Metadata
}

/// Collects what `CapturingLogHandler`s receive. A handler is a value that `Logger` copies, so the
/// records live here, behind a lock (the code under test may log from any thread).
final class LogRecorder: Sendable {
    private let records = Mutex<[LogRecord]>([])

    var all: [LogRecord] { records.withLock { $0 } }

    func append(_ record: LogRecord) {
        records.withLock { $0.append(record) }
    }

    /// A logger at `level` that writes here. Made with `Logger(label:factory:)` rather than
    /// `LoggingSystem.bootstrap`, which is process-wide and once only: tests running in parallel each
    /// get their own recorder.
    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "switchd-log-capture") { _ in CapturingLogHandler(recorder: self) }
        logger.logLevel = level
        return logger
    }
}

/// A `LogHandler` that keeps every message, its level and its metadata in a `LogRecorder`.
struct CapturingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(LogRecord(
            level: event.level, message: event.message.description,
            metadata: metadata.merging(event.metadata ?? [:]) { _, call in call }))
    }
}
