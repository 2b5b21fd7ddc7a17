import Foundation
import Registrar

/// Registers one new binding after another into an SQLite store until killed, and after each 200 OK
/// (register() returned .ok) writes `INDEX MONOTONIC_NS` to stdout with one write(2), so the process
/// that kills it knows exactly which registrations were answered and when. AOR `durability/INDEX`.
/// `rate`: registrations per second at most (nil: as fast as it can, faster than the store writes, so
/// the writer's backlog is as long as it gets).
enum DurabilityWriter {
    static func run(path: String, rate: Int?) throws {
        let store = try SQLiteBindingStore(path: path)
        let service = try LocationService(settings: RegistrarSettings(), store: store, now: Date().timeIntervalSince1970)
        var index = 0
        let start = DispatchTime.now().uptimeNanoseconds
        while true {
            if let rate, rate > 0 {
                let due = start + UInt64(index) * 1_000_000_000 / UInt64(rate)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(useconds_t((due - now) / 1_000)) }
            }
            let request = RegisterRequest(
                aor: AddressOfRecord(customerID: "durability", extensionNumber: "\(index)"), callID: "durability-\(index)",
                cseq: 1,
                contacts: [.uri("sip:\(index)@192.0.2.1:5060")], sourceIP: "192.0.2.1", sourcePort: 5060)
            guard case .ok = service.register(request, now: Date().timeIntervalSince1970) else {
                throw BenchFailure("registration \(index) refused")
            }
            let line = Array("\(index) \(DispatchTime.now().uptimeNanoseconds)\n".utf8)
            let written = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            guard written == line.count else { throw BenchFailure("stdout closed") }
            index += 1
        }
    }
}
