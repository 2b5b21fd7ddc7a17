import Dispatch
import Foundation

/// Runs a job every `interval` seconds between `start()` and `cancel()`. The dispatch source is made
/// in `start()`: one released while still suspended traps, so a server whose init threw, or that never
/// started, must not hold one.
final class RepeatingTimer: @unchecked Sendable {
    // @unchecked: `source` is only touched under `lock`; Dispatch's overlay does not mark its sources
    // Sendable although they may be used from any thread.
    private let lock = NSLock()
    private var source: (any DispatchSourceTimer)?
    private let label: String
    private let interval: Double
    private let job: @Sendable () -> Void

    init(label: String, interval: Double, job: @escaping @Sendable () -> Void) {
        self.label = label
        self.interval = interval
        self.job = job
    }

    func start() {
        lock.withLock {
            guard source == nil else { return }
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label, qos: .utility))
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler(handler: job)
            timer.resume()
            source = timer
        }
    }

    func cancel() {
        lock.withLock {
            source?.cancel()
            source = nil
        }
    }
}
