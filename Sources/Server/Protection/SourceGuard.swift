import Addressing
import Auth
import Config
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
        var droppedSinceSummary = 0
        var lastSummaryAt: Double = -.infinity
    }

    /// Everything behind one lock: the per-address buckets, the bans (in a table of their own, so that a
    /// flood of new addresses evicting old buckets cannot lift a ban), and one bucket shared by all
    /// untrusted traffic, so that many addresses each within its own rate cannot saturate the daemon.
    private struct Tables {
        var sources: BoundedTable<IPAddress, State>
        var bans: BoundedTable<IPAddress, Double>
        var sharedTokens: Double
        var sharedRefilledAt: Double
    }

    public let settings: LimitSettings
    private let tables: Mutex<Tables>

    public init(settings: LimitSettings) {
        self.settings = settings
        tables = Mutex(
            Tables(
                sources: BoundedTable(capacity: settings.maxTrackedAddresses),
                bans: BoundedTable(capacity: settings.maxTrackedAddresses),
                sharedTokens: settings.untrustedBurst, sharedRefilledAt: -.infinity))
    }

    /// Decides whether a request from `source` at time `now` (seconds) may be handled.
    public func admit(_ source: IPAddress, now: Double) -> Admission {
        tables.withLock { tables in
            var state = tables.sources[source] ?? State(tokens: settings.burst, refilledAt: now, failureWindowStart: now)
            defer { tables.sources[source] = state }
            if let until = tables.bans[source] {
                if until > now {
                    return .banned(summary: Self.noteDrop(&state, now: now, interval: settings.logInterval))
                }
                tables.bans[source] = nil
            }
            state.tokens = min(settings.burst, state.tokens + (now - state.refilledAt) * settings.rate)
            state.refilledAt = now
            tables.sharedTokens = min(
                settings.untrustedBurst,
                tables.sharedTokens + max(0, now - tables.sharedRefilledAt) * settings.untrustedRate)
            tables.sharedRefilledAt = now
            guard state.tokens >= 1, tables.sharedTokens >= 1 else {
                return .rateLimited(summary: Self.noteDrop(&state, now: now, interval: settings.logInterval))
            }
            state.tokens -= 1
            tables.sharedTokens -= 1
            return .allowed
        }
    }

    /// Whether `source` is banned now, without counting a request: a stream's connections from a banned
    /// address are closed (and new ones refused), not only its requests dropped.
    public func isBanned(_ source: IPAddress, now: Double) -> Bool {
        tables.withLock { tables in (tables.bans[source] ?? -.infinity) > now }
    }

    /// Addresses banned at `now` (for the metrics: a walk over the bans, taken once per scrape).
    public func activeBans(now: Double) -> Int {
        tables.withLock { tables in tables.bans.count { $0 > now } }
    }

    /// Counts one failed authentication; returns true when this failure starts a ban.
    @discardableResult
    public func recordAuthenticationFailure(_ source: IPAddress, now: Double) -> Bool {
        tables.withLock { tables in
            var state = tables.sources[source] ?? State(tokens: settings.burst, refilledAt: now, failureWindowStart: now)
            defer { tables.sources[source] = state }
            // The window opens at the first failure, not when the address was first seen: a phone that
            // registered an hour ago and now fails three times in ten seconds is guessing passwords.
            if state.failures == 0 || now - state.failureWindowStart > settings.failureWindow {
                state.failures = 0
                state.failureWindowStart = now
            }
            state.failures += 1
            guard state.failures >= settings.authFailuresBeforeBan, (tables.bans[source] ?? 0) <= now else { return false }
            tables.bans[source] = now + settings.banSeconds
            state.failures = 0
            return true
        }
    }

    private static func noteDrop(_ state: inout State, now: Double, interval: Double) -> Int? {
        state.droppedSinceSummary += 1
        guard now - state.lastSummaryAt >= interval else { return nil }
        let dropped = state.droppedSinceSummary
        state.droppedSinceSummary = 0
        state.lastSummaryAt = now
        return dropped
    }
}
