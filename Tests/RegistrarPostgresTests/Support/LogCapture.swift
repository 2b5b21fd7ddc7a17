import Logging
import NIOConcurrencyHelpers

/// Every record logged through `logger`, kept so that tests can count exact messages.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let records = NIOLockedValueBox<[Record]>([])

    var logger: Logger {
        var logger = Logger(label: "registrar-postgres-test") { _ in Handler(capture: self) }
        logger.logLevel = .info
        return logger
    }

    var all: [Record] { records.withLockedValue { $0 } }

    func count(_ message: String) -> Int { all.filter { $0.message == message }.count }

    fileprivate func append(_ record: Record) { records.withLockedValue { $0.append(record) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Record(level: event.level, message: event.message.description, metadata: merged))
        }
    }
}
