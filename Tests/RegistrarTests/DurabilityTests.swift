// A process that registers into SQLite, killed with SIGKILL mid-stream: a new store over the file
// must hold every registration answered more than a second before the kill, in order (a prefix of
// what was answered), and the test reports how many of the last ones were lost.
import Foundation
import Testing

@testable import Registrar

@Suite("kill -9 durability")
struct DurabilityTests {
    /// (registrations per second, or nil for as fast as the writer goes; how many answered before the kill)
    @Test(
        "registrations answered before a kill -9 are in the file, but for at most the last second",
        arguments: [(nil, 5_000), (2_000, 3_000)] as [(Int?, Int)])
    func killNine(rate: Int?, answeredBeforeKill: Int) throws {
        guard let executable = RegistrarBenchBinary.url else { throw RegistrarBenchBinary.NotBuilt() }
        try withTemporaryDirectory { directory in
            let path = "\(directory)/bindings.sqlite"
            let process = Process()
            process.executableURL = executable
            process.arguments = ["durability-writer", path] + (rate.map { [String($0)] } ?? [])
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()

            // Read "INDEX NS" lines until enough registrations were answered, then kill mid-stream.
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            while text.count(where: { $0 == "\n" }) < answeredBeforeKill, Date() < deadline {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            kill(process.processIdentifier, SIGKILL)
            let killedAt = DispatchTime.now().uptimeNanoseconds
            process.waitUntilExit()
            text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == SIGKILL)

            let answered = text.split(separator: "\n").compactMap { line -> (index: Int, ns: UInt64)? in
                let fields = line.split(separator: " ")
                guard fields.count == 2, let index = Int(fields[0]), let ns = UInt64(fields[1]) else { return nil }
                return (index, ns)
            }
            #expect(answered.map(\.index) == Array(0..<answered.count), "the writer answered in order")
            #expect(answered.count >= answeredBeforeKill)

            let found = Set(try SQLiteBindingStore(path: path).load().compactMap { Int($0.aor.extensionNumber) })
            // A prefix: the writer writes in the order it answered. It may hold one answered but not
            // yet printed when killed, hence found.count can exceed answered.count.
            #expect(found == Set(0..<found.count), "the file holds a prefix of the registrations")
            let lost = max(0, answered.count - found.count)
            let windowMs: Double
            if lost > 0 {
                windowMs = Double(killedAt - answered[found.count].ns) / 1e6
            } else {
                windowMs = 0
            }
            let mode = rate.map { "\($0)/s" } ?? "flood"
            let window = String(format: "%.1f", windowMs)
            print(
                "kill -9 durability (\(mode)): answered \(answered.count), in the file \(found.count), lost \(lost)"
                    + " (answered in the last \(window) ms before the kill)")
            #expect(windowMs <= 1_000, "lost registrations answered \(windowMs) ms before the kill")
        }
    }
}
