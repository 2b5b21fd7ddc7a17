import Foundation
import Registrar

/// lookup() as the INVITE path calls it: AORS addresses of record with 2 bindings each, asked in a
/// fixed pseudo-random order (so the index is not read in insertion order, as calls do not come so).
enum LookupBench {
    static func run(aors: Int) throws {
        let now = 1_800_000_000.0
        let service = try LocationService(settings: RegistrarSettings(), store: MemoryBindingStore(), now: now)
        var keys: [AddressOfRecord] = []
        for i in 0..<aors {
            let aor = AddressOfRecord(customerID: "c\(i % 400)", extensionNumber: "\(20_000 + i)")
            keys.append(aor)
            for device in 0..<2 {
                let request = RegisterRequest(
                    aor: aor, callID: "bench-\(i)-\(device)", cseq: 1,
                    contacts: [
                        .uri("sip:\(20_000 + i)@10.\(i / 250 % 250).\(i % 250).\(device + 1):5060", q: device == 0 ? 1 : 0.5)
                    ],
                    sourceIP: "203.0.113.\(i % 250 + 1)", sourcePort: UInt16(10_000 + device), userAgent: "Bench/1")
                guard case .ok = service.register(request, now: now) else { throw BenchFailure("register refused") }
            }
        }
        _ = service.flush()
        var random = FixedRandom()
        let order = (0..<1_000_000).map { _ in keys[random.next(below: keys.count)] }
        let rounds = 5
        var checksum = 0
        // One warm-up pass, then the measured ones.
        for aor in order { checksum &+= service.lookup(aor, now: now + 1).count }
        let time = measure {
            for _ in 0..<rounds {
                for aor in order { checksum &+= service.lookup(aor, now: now + 1).count }
            }
        }
        let calls = Double(order.count * rounds)
        guard checksum == 2 * order.count * (rounds + 1) else { throw BenchFailure("lookup returned \(checksum) bindings") }
        print(
            "lookup: \(aors) AORs x 2 bindings, \(Int(calls)) calls: \(formatted(time.cpu / calls * 1e9, 1)) ns/call CPU, "
                + "\(formatted(time.wall / calls * 1e9, 1)) ns/call wall (\(formatted(calls / time.wall / 1e6, 2)) M lookups/s)")
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
