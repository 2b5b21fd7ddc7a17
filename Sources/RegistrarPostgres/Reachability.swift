import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What a `PostgresBindingStore` reports to an observer instead of logging (see
/// `PostgresBindingStore.reportReachability(to:)`).
public enum PostgresReachability: Sendable, Equatable {
    /// The first failure of an outage, by whichever connection noticed.
    case lost(PostgresStoreError)
    /// The first success after it.
    case regained
}

/// Tells of an outage of the server once when it begins and once when it ends, whichever of the store's
/// connections (a `write`, a `load`, the change feed) notices first. Retries in between are silent, so
/// a long outage costs the log two lines, not one per attempt. With an observer (the daemon's location
/// service, which also sees its writes fail) it reports there and logs nothing, so that one outage is
/// one line in the daemon's log, not one per layer.
final class Reachability: Sendable {
    private let downSince = NIOLockedValueBox<NIODeadline?>(nil)
    private let observer = NIOLockedValueBox<(@Sendable (PostgresReachability) -> Void)?>(nil)
    private let logger: Logger
    private let server: String

    static let outageMessage: Logger.Message = "PostgreSQL store unreachable; retrying until it answers"
    static let recoveryMessage: Logger.Message = "PostgreSQL store reachable again"

    init(logger: Logger, server: String) {
        self.logger = logger
        self.server = server
    }

    func report(to observer: @escaping @Sendable (PostgresReachability) -> Void) {
        self.observer.withLockedValue { $0 = observer }
    }

    /// Reports a failed call; only outages (`PostgresStoreError.isOutage`) count.
    func failed(_ error: PostgresStoreError) {
        guard error.isOutage else { return }
        let began = downSince.withLockedValue { since in
            guard since == nil else { return false }
            since = .now()
            return true
        }
        guard began else { return }
        if let observer = observer.withLockedValue({ $0 }) {
            observer(.lost(error))
            return
        }
        logger.error(Self.outageMessage, metadata: ["postgres.server": "\(server)", "postgres.error": "\(error)"])
    }

    func succeeded() {
        let since = downSince.withLockedValue { since in
            defer { since = nil }
            return since
        }
        guard let since else { return }
        if let observer = observer.withLockedValue({ $0 }) {
            observer(.regained)
            return
        }
        let seconds = Double((NIODeadline.now() - since).nanoseconds) / 1_000_000_000
        logger.notice(
            Self.recoveryMessage,
            metadata: ["postgres.server": "\(server)", "postgres.outage_seconds": "\(Int(seconds.rounded()))"])
    }
}
