import Config
import Synchronization

/// The configuration's history and whether the daemon is stopping: what `/health` and the config
/// metrics report. Changed by reloads and the stop, read by scrapes; never on a request's path.
final class DaemonStatus: Sendable {
    private let state: Mutex<ConfigurationState>
    private let stopping = Atomic(false)

    init(loadedAt: Double) {
        state = Mutex(ConfigurationState(loadedAt: loadedAt))
    }

    var configuration: ConfigurationState { state.withLock { $0 } }

    func noteReload(succeeded: Bool, at time: Double) {
        state.withLock { $0.noteReload(succeeded: succeeded, at: time) }
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func beginStopping() { stopping.store(true, ordering: .relaxed) }

    /// `GET /health`: whether the daemon is serving, and the document.
    func health(listeners: [ListenAddress]) -> (serving: Bool, body: [UInt8]) {
        let serving = !isStopping
        let report = HealthReport(serving: serving, configuration: configuration, listeners: listeners)
        return (serving, Array(report.json.utf8))
    }
}
