import Auth
import Routing
import Synchronization

/// Per-source-address protection against floods and password guessing: a token bucket per address,
/// and a ban after repeated authentication failures. The state is bounded (`maxTracked` addresses,
/// the oldest forgotten first), so a flood from many spoofed addresses cannot grow the daemon.
public final class SourceGuard: Sendable {
    public enum Admission: Equatable, Sendable {
        case allowed
        /// Over its rate: drop silently. `summary` is set at most once per log interval per address,
        /// with the number of requests dropped since the last summary.
        case rateLimited(summary: Int?)
        /// Banned for authentication failures: drop silently (same summary rule).
        case banned(summary: Int?)
    }

    private struct State {
        var tokens: Double
        var refilledAt: Double
        var failures = 0
        var failureWindowStart: Double
        var bannedUntil: Double = 0
        var droppedSinceSummary = 0
        var lastSummaryAt: Double = -.infinity
    }

    public let settings: LimitSettings
    private let table: Mutex<BoundedTable<IPAddress, State>>

    public init(settings: LimitSettings) {
        self.settings = settings
        table = Mutex(BoundedTable(capacity: settings.maxTrackedAddresses))
    }

    /// Decides whether a request from `source` at time `now` (seconds) may be handled.
    public func admit(_ source: IPAddress, now: Double) -> Admission {
        table.withLock { table in
            var state = table[source] ?? State(tokens: settings.burst, refilledAt: now, failureWindowStart: now)
            defer { table[source] = state }
            if state.bannedUntil > now {
                return .banned(summary: Self.noteDrop(&state, now: now, interval: settings.logInterval))
            }
            state.tokens = min(settings.burst, state.tokens + (now - state.refilledAt) * settings.rate)
            state.refilledAt = now
            guard state.tokens >= 1 else {
                return .rateLimited(summary: Self.noteDrop(&state, now: now, interval: settings.logInterval))
            }
            state.tokens -= 1
            return .allowed
        }
    }

    /// Counts one failed authentication; returns true when this failure starts a ban.
    @discardableResult
    public func recordAuthenticationFailure(_ source: IPAddress, now: Double) -> Bool {
        table.withLock { table in
            var state = table[source] ?? State(tokens: settings.burst, refilledAt: now, failureWindowStart: now)
            defer { table[source] = state }
            if now - state.failureWindowStart > settings.failureWindow {
                state.failures = 0
                state.failureWindowStart = now
            }
            state.failures += 1
            guard state.failures >= settings.authFailuresBeforeBan, state.bannedUntil <= now else { return false }
            state.bannedUntil = now + settings.banSeconds
            state.failures = 0
            return true
        }
    }

    public var trackedAddresses: Int { table.withLock { $0.count } }

    private static func noteDrop(_ state: inout State, now: Double, interval: Double) -> Int? {
        state.droppedSinceSummary += 1
        guard now - state.lastSummaryAt >= interval else { return nil }
        let dropped = state.droppedSinceSummary
        state.droppedSinceSummary = 0
        state.lastSummaryAt = now
        return dropped
    }
}
