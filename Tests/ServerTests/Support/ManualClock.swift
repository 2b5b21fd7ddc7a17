import Synchronization

/// A clock the test moves by hand (seconds), for `RequestHandler(clock:)`, `SIPServer(clock:)` and
/// `TestServer(clock:)`: token buckets, bans and nonces then change only when the test says so, and a
/// test can state exact counts instead of bounding them by the time a run happened to take.
///
/// The default start is a plausible Unix time, because nonces carry it. At that magnitude a Double
/// resolves about 0.24 µs, so `advance(by: 0.2)` is not exactly 0.2 s; tests that need an exact number of
/// tokens advance by whole seconds or binary fractions (0.5, 0.25, ...).
final class ManualClock: Sendable {
    private let value: Mutex<Double>

    init(_ start: Double = 1_700_000_000) {
        value = Mutex(start)
    }

    var now: Double { value.withLock { $0 } }

    func advance(by seconds: Double) {
        value.withLock { $0 += seconds }
    }

    func set(_ seconds: Double) {
        value.withLock { $0 = seconds }
    }
}
