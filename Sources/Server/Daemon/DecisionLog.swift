import Foundation
import Glibc
import Registrar
import Synchronization

/// One answered INVITE, OPTIONS to a number or REGISTER, as the request path hands it over: plain
/// values and the verdict, whose reason and contacts the writer works out on its own thread.
public struct DecisionEntry: Sendable {
    public enum Verdict: Sendable {
        case call(CallVerdict)
        case registration(RegistrationVerdict)
    }

    public var time: Double
    public var callID: String
    public var method: String
    public var source: String
    public var transport: String
    /// The calling customer's id, once identified.
    public var caller: String?
    /// The From user.
    public var user: String?
    /// What was dialled; for a REGISTER the To user.
    public var dialled: String
    public var status: Int
    public var verdict: Verdict

    public init(
        time: Double, callID: String, method: String, source: String, transport: String, caller: String?, user: String?,
        dialled: String, status: Int, verdict: Verdict
    ) {
        self.time = time
        self.callID = callID
        self.method = method
        self.source = source
        self.transport = transport
        self.caller = caller
        self.user = user
        self.dialled = dialled
        self.status = status
        self.verdict = verdict
    }

    /// Where the answer sends the call (its Contacts), or the bindings a REGISTER leaves.
    var contacts: [String] {
        switch verdict {
        case .call(.routed(let decision)): return decision.contact.map { [$0] } ?? []
        case .call(.registered(let decision, let bindings)): return bindings.map(\.target) + (decision.contact.map { [$0] } ?? [])
        case .call: return []
        case .registration(.registrar(.ok(let bindings, _))): return bindings.map(\.binding.contact)
        case .registration: return []
        }
    }

    var reason: String {
        switch verdict {
        case .call(let verdict): return verdict.reason
        case .registration(let verdict): return verdict.reason
        }
    }

    /// The JSON object of this entry, on one line.
    func line(time formatted: String) -> String {
        let fields = [
            "\"time\":\(JSONText.quoted(formatted))", "\"call_id\":\(JSONText.quoted(callID))",
            "\"method\":\(JSONText.quoted(method))", "\"source\":\(JSONText.quoted(source))",
            "\"transport\":\(JSONText.quoted(transport))", "\"caller\":\(JSONText.quoted(caller))",
            "\"user\":\(JSONText.quoted(user))", "\"dialled\":\(JSONText.quoted(dialled))", "\"status\":\(status)",
            "\"contact\":[\(contacts.map { JSONText.quoted($0) }.joined(separator: ","))]",
            "\"reason\":\(JSONText.quoted(reason))",
        ]
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}

/// `[log] decisions`: every answered call and registration as one JSON object a line, written by a
/// thread of its own so that the request path only appends to a bounded buffer. A full buffer drops
/// the entry and counts it (`decision_log_dropped`): SIP is never held up by a slow disk. `reopen()`
/// (SIGUSR1) closes the file and opens the path again, so that logrotate can move it away.
public final class DecisionLog: Sendable {
    struct State {
        var pending: [DecisionEntry] = []
        var reopen = false
        var stopping = false
    }

    public let path: String
    /// Entries waiting for the writer at most; more are dropped.
    public let capacity: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let counters: Counters
    private let onError: @Sendable (String) -> Void

    /// Opens (creates, appends to) `path` and starts the writer. `onError` hears, once per failure, that
    /// the file could not be opened or written (the entries of that batch are lost).
    public init(
        path: String, capacity: Int = 65_536, counters: Counters, start: Bool = true,
        onError: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.path = path
        self.capacity = capacity
        self.counters = counters
        self.onError = onError
        if start { self.start() }
    }

    /// Starts the writer thread (done by `init` unless told otherwise; tests fill the buffer first).
    public func start() {
        let thread = Thread { [self] in writeUntilStopped() }
        thread.name = "switchd.decisions"
        thread.start()
    }

    /// Appends `entry` for the writer; never blocks for longer than the append itself.
    public func record(_ entry: DecisionEntry) {
        let wasEmpty: Bool? = state.withLock { state in
            guard state.pending.count < capacity else { return nil }
            state.pending.append(entry)
            return state.pending.count == 1
        }
        switch wasEmpty {
        case nil: counters.increment(.decisionLogDropped)
        // One wake-up per batch: the writer takes everything that is pending at once.
        case true?: wake.signal()
        case false?: break
        }
    }

    public func reopen() {
        state.withLock { $0.reopen = true }
        wake.signal()
    }

    /// Writes what is pending, closes the file and ends the writer.
    public func close() {
        state.withLock { $0.stopping = true }
        wake.signal()
        finished.wait()
    }

    private func writeUntilStopped() {
        var file = open()
        while true {
            wake.wait()
            let (batch, reopen, stopping) = state.withLock { state in
                let taken = (state.pending, state.reopen, state.stopping)
                state.pending = []
                state.reopen = false
                return taken
            }
            // Reopened first: after logrotate moved the file, what is pending belongs in the new one.
            if reopen {
                try? file?.close()
                file = open()
            }
            if !batch.isEmpty {
                let text = batch.map { $0.line(time: Self.rfc3339($0.time)) }.joined()
                if let handle = file {
                    do {
                        try handle.write(contentsOf: Data(text.utf8))
                    } catch {
                        onError("cannot write \(path): \(error)")
                    }
                }
            }
            if stopping {
                try? file?.close()
                break
            }
        }
        finished.signal()
    }

    /// `2026-12-01T19:20:00.123Z`. By hand: Foundation's ISO8601DateFormatter cost more than the rest
    /// of a line together.
    static func rfc3339(_ time: Double) -> String {
        let whole = time.rounded(.down)
        var seconds = time_t(whole)
        let milliseconds = min(999, Int((time - whole) * 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(Int(parts.tm_year) + 1900, 4))-\(padded(Int(parts.tm_mon) + 1, 2))-\(padded(Int(parts.tm_mday), 2))"
            + "T\(padded(Int(parts.tm_hour), 2)):\(padded(Int(parts.tm_min), 2)):\(padded(Int(parts.tm_sec), 2))"
            + ".\(padded(milliseconds, 3))Z"
    }

    private func open() -> FileHandle? {
        if !FileManager.default.fileExists(atPath: path) {
            // "var/decisions.log" in a conf whose var/ the store has not made yet.
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            onError("cannot open \(path) for writing: decisions are not logged until it can be (SIGUSR1 tries again)")
            return nil
        }
        _ = try? handle.seekToEnd()
        return handle
    }
}
