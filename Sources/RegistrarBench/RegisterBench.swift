import Foundation
import Registrar

/// register() into an SQLite store: what the caller pays per REGISTER (the write happens behind it),
/// and how long until every change is in the file (the writer's sustained rate, batches and all).
/// Then the store alone with one change per transaction, the writer's worst case (no batching).
enum RegisterBench {
    static func run(requests: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchd-registrar-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = 1_800_000_000.0
        let store = try SQLiteBindingStore(path: directory.appendingPathComponent("bindings.sqlite").path)
        let service = try LocationService(settings: RegistrarSettings(), store: store, now: now)
        let aors = 10_000
        // New bindings first (two phones per AOR), then refreshes with a higher CSeq: a registrar's
        // steady state is mostly refreshes.
        let batch = (0..<requests).map { n -> RegisterRequest in
            let i = n % aors
            let device = n / aors % 2
            let cseq = UInt32(1 + n / (2 * aors))
            return RegisterRequest(
                aor: AddressOfRecord(customerID: "c\(i % 400)", extensionNumber: "\(20_000 + i)"), callID: "bench-\(i)-\(device)",
                cseq: cseq, contacts: [.uri("sip:\(20_000 + i)@192.168.\(i / 250 % 250).\(i % 250 + device):5060")],
                sourceIP: "203.0.113.\(i % 250 + 1)", sourcePort: UInt16(10_000 + device), userAgent: "Bench/1")
        }
        var refused = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let caller = measure {
            for request in batch {
                if case .ok = service.register(request, now: now) {} else { refused += 1 }
            }
        }
        guard refused == 0 else { throw BenchFailure("\(refused) registrations refused") }
        guard service.flush() == .written else { throw BenchFailure("the store failed") }
        let durable = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let n = Double(requests)
        print(
            "register: \(requests) REGISTERs into SQLite (\(aors) AORs x 2 phones): caller \(formatted(n / caller.wall)) /s wall, "
                + "\(formatted(caller.cpu / n * 1e6, 2)) µs CPU each; all in the file after \(formatted(durable, 2)) s "
                + "(\(formatted(n / durable)) /s sustained)")
        try singleChangeTransactions(store: store, now: now)
    }

    /// The store alone, one upsert per transaction (what the writer does when REGISTERs come one at a time).
    private static func singleChangeTransactions(store: SQLiteBindingStore, now: Double) throws {
        let writes = 5_000
        let aor = AddressOfRecord(customerID: "single", extensionNumber: "1")
        let time = try measure {
            for i in 0..<writes {
                try store.write([
                    .upsert(
                        Binding(
                            aor: aor, contact: "sip:1@10.0.0.\(i % 250 + 1):\(5_000 + i)", target: "sip:1@203.0.113.1:5060",
                            callID: "single-\(i)", cseq: 1, expiresAt: now + 3_600, q: nil, source: "203.0.113.1:5060",
                            transport: "UDP", userAgent: nil, updatedAt: now))
                ])
            }
        }
        print(
            "store: \(writes) transactions of one upsert: \(formatted(Double(writes) / time.wall)) /s wall, "
                + "\(formatted(time.cpu / Double(writes) * 1e6, 1)) µs CPU each")
    }
}
